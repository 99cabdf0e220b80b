/**
 * Exit codes of `prg` and the errors that carry them. Scripts branch on the code, so
 * each one means one kind of outcome, whatever the command.
 */
export const ExitCode = {
  /** The command did what was asked. */
  OK: 0,
  /** An operation failed: a --wait that ended in failed mode or timed out, a server error, no network. */
  FAILED: 1,
  /** The command was used wrongly: bad arguments, or the API refused the input (400) or found nothing (404). */
  USAGE: 2,
  /** No token, or the API refused the token (401) or its scope (403). */
  AUTH: 3,
  /** The API refused because of the current state (409), e.g. a failover while a node is not Normal. */
  CONFLICT: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit codes as the root `--help` and docs/cli.md list them. */
export const EXIT_CODES_HELP = `Exit codes:
  0  ok
  1  operation failed: a --wait that ends in Running in Failed Mode or times out,
     a server error (5xx), the control plane unreachable
  2  usage: bad arguments or options, or the API refused the input (400) or
     found no such group, node or user (404)
  3  auth: no token configured, or the API refused the token (401, 403)
  4  conflict: the current state does not allow it (409); the states are shown`;

/**
 * An error meant for the operator: `message` is printed as `error: <message>`, each of
 * `details` on its own indented line, and the process exits with `exitCode`.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

/** A mistake in how the command was called (exit 2). */
export function usageError(message: string, details: string[] = []): CliError {
  return new CliError(message, ExitCode.USAGE, details);
}

/** The exit code for an HTTP error status from the API. */
export function exitCodeForStatus(status: number): ExitCode {
  if (status === 401 || status === 403) return ExitCode.AUTH;
  if (status === 409) return ExitCode.CONFLICT;
  // 429 and 5xx: the request was fine, the control plane could not do it now.
  if (status === 429 || status >= 500) return ExitCode.FAILED;
  return ExitCode.USAGE;
}
