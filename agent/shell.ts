import { spawn } from 'node:child_process';

export interface ShellResult {
  /** The exit code, or null when the command was killed (timeout) or could not start. */
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  /** The last lines the command printed (stdout and stderr), for the log. */
  output: string;
}

/** How much of a command's output the agent keeps for its log line. */
const OUTPUT_TAIL = 2_000;

/**
 * Runs `command` with `/bin/sh -c` and resolves when it exits or after `timeoutMs`. The
 * command runs in a process group of its own so that a timeout kills everything it
 * started (a `systemctl` hung on D-Bus, a script's children), not only the shell.
 */
export function runShell(command: string, timeoutMs: number): Promise<ShellResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL);
    };
    const child = spawn('/bin/sh', ['-c', command], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone: nothing left to kill.
      }
    }, timeoutMs);
    const finish = (exitCode: number | null) => {
      clearTimeout(timer);
      resolve({ exitCode, timedOut, durationMs: Date.now() - started, output: output.trim() });
    };
    child.once('error', (e) => {
      output = `could not run /bin/sh: ${e.message}`;
      finish(null);
    });
    child.once('close', (code) => finish(timedOut ? null : code));
  });
}
