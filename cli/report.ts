import { ApiError } from './client';
import { describeSource } from './config';
import { CliError, ExitCode, exitCodeForStatus } from './errors';
import type { Colors } from './output';
import { labelOfReason, paintState } from './states';

/** The lines that explain an API error: the problem's detail, its field errors, and for a 409 the states. */
export function describeApiError(e: ApiError, c: Colors): string[] {
  const p = e.problem;
  const lines = [`${c.red('error:')} ${p ? p.detail || p.title : e.message}`];
  for (const f of p?.errors ?? []) lines.push(`  ${f.path || 'body'}: ${f.message}`);
  if (p?.states && p.states.length > 0) {
    lines.push('  current states:');
    const width = Math.max(...p.states.map((s) => s.nodeId.length));
    for (const s of p.states)
      lines.push(`    ${s.nodeId.padEnd(width)}  ${paintState(c, s.state)} (${labelOfReason(s.reason)})`);
  }
  const source = e.connection.tokenSource
    ? describeSource(e.connection.tokenSource, e.connection.configPath)
    : 'the configuration';
  if (e.status === 401)
    lines.push(
      `  The token from ${source} was not accepted by ${e.connection.url}. Check it, or use a`,
      '  current one (`npm start` prints them; on AWS a Cognito token with scope prg/admin or prg/read).',
    );
  if (e.status === 403)
    lines.push(
      `  The token from ${source} may only read: changes (failover, create, set, ...) need the`,
      '  admin token (scope prg/admin).',
    );
  if (e.status === 404) {
    // The API names its own routes; an operator of the CLI wants the command.
    const list = e.path.startsWith('/groups')
      ? 'prg group list'
      : e.path.startsWith('/nodes')
        ? 'prg node list'
        : null;
    if (list && !p?.detail.startsWith('No route')) lines.push(`  List them with: ${list}`);
  }
  if (e.status >= 500) lines.push(`  (HTTP ${e.status} from ${e.method} /v1${e.path})`);
  return lines;
}

/**
 * Writes an error to stderr as the operator should see it (one `error:` line, then
 * details) and returns the exit code it stands for. Unexpected errors are bugs: they say
 * so, with the stack when `PRG_DEBUG` is set.
 */
export function reportError(e: unknown, c: Colors, write: (line: string) => void): ExitCode {
  if (e instanceof ApiError) {
    describeApiError(e, c).forEach((l) => write(l));
    return exitCodeForStatus(e.status);
  }
  if (e instanceof CliError) {
    write(`${c.red('error:')} ${e.message}`);
    e.details.forEach((d) => write(`  ${d}`));
    return e.exitCode;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  write(`${c.red('error:')} ${err.message}`);
  write(
    process.env.PRG_DEBUG
      ? (err.stack ?? '')
      : '  This is unexpected; run again with PRG_DEBUG=1 for the stack and report it.',
  );
  return ExitCode.FAILED;
}
