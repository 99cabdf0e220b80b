import { ApiError } from './client';
import { describeSource } from './config';
import { CliError, ExitCode, exitCodeForStatus } from './errors';
import type { Colors } from './output';
import { labelOfReason, paintState } from './states';

/** The lines that explain an API error: the problem's detail, its field errors, and for a 409 the states. */
export function describeApiError(error: ApiError, c: Colors): string[] {
  const problem = error.problem;
  const lines = [`${c.red('error:')} ${problem ? problem.detail || problem.title : error.message}`];
  for (const field of problem?.errors ?? []) lines.push(`  ${field.path || 'body'}: ${field.message}`);
  if (problem?.states && problem.states.length > 0) {
    lines.push('  current states:');
    const width = Math.max(...problem.states.map((node) => node.nodeId.length));
    for (const node of problem.states)
      lines.push(
        `    ${node.nodeId.padEnd(width)}  ${paintState(c, node.state)} (${labelOfReason(node.reason)})`,
      );
  }
  const source = error.connection.tokenSource
    ? describeSource(error.connection.tokenSource, error.connection.configPath)
    : 'the configuration';
  if (error.status === 401)
    lines.push(
      `  The token from ${source} was not accepted by ${error.connection.url}. Check it, or use a`,
      '  current one (`npm start` prints them; on AWS a Cognito token with scope prg/admin or prg/read).',
    );
  if (error.status === 403)
    lines.push(
      `  The token from ${source} may only read: changes (failover, create, set, ...) need the`,
      '  admin token (scope prg/admin).',
    );
  if (error.status === 404) {
    // The API names its own routes; an operator of the CLI wants the command.
    const list = error.path.startsWith('/v1/groups')
      ? 'prg group list'
      : error.path.startsWith('/v1/nodes')
        ? 'prg node list'
        : null;
    if (list && !problem?.detail.startsWith('No route')) lines.push(`  List them with: ${list}`);
  }
  if (error.status >= 500) lines.push(`  (HTTP ${error.status} from ${error.method} ${error.path})`);
  return lines;
}

/**
 * Writes an error to stderr as the operator should see it (one `error:` line, then
 * details) and returns the exit code it stands for. Unexpected errors are bugs: they say
 * so, with the stack when `PRG_DEBUG` is set.
 */
export function reportError(error: unknown, c: Colors, write: (line: string) => void): ExitCode {
  if (error instanceof ApiError) {
    describeApiError(error, c).forEach((line) => write(line));
    return exitCodeForStatus(error.status);
  }
  if (error instanceof CliError) {
    write(`${c.red('error:')} ${error.message}`);
    error.details.forEach((detail) => write(`  ${detail}`));
    return error.exitCode;
  }
  const err = error instanceof Error ? error : new Error(String(error));
  write(`${c.red('error:')} ${err.message}`);
  write(
    process.env.PRG_DEBUG
      ? (err.stack ?? '')
      : '  This is unexpected; run again with PRG_DEBUG=1 for the stack and report it.',
  );
  return ExitCode.FAILED;
}
