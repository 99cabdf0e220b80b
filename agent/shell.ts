import { spawn } from 'node:child_process';

export interface ShellResult {
  /** The exit code, or null when the command was killed (timeout) or could not start. */
  exitCode: number | null;
  timedOut: boolean;
  /** Killed because `signal` aborted. */
  aborted: boolean;
  durationMs: number;
  /** The last lines the command printed (stdout and stderr), for the log. */
  output: string;
}

/** How much of a command's output the agent keeps for its log line. */
const OUTPUT_TAIL = 2_000;

/**
 * Runs `command` with `/bin/sh -c` and resolves when it exits or after `timeoutMs`. The
 * command runs in a process group of its own so that a timeout kills everything it
 * started (a `systemctl` hung on D-Bus, a script's children), not only the shell. An
 * aborted `signal` kills it the same way at once (self-fencing pre-empting a start).
 */
export function runShell(command: string, timeoutMs: number, signal?: AbortSignal): Promise<ShellResult> {
  // Monotonic: a wall clock stepped meanwhile must not make a duration negative.
  const started = performance.now();
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
    let aborted = false;
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone: nothing left to kill.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, timeoutMs);
    const onAbort = () => {
      aborted = true;
      kill();
    };
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (exitCode: number | null) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve({
        exitCode,
        timedOut,
        aborted,
        durationMs: Math.round(performance.now() - started),
        output: output.trim(),
      });
    };
    child.once('error', (e) => {
      output = `could not run /bin/sh: ${e.message}`;
      finish(null);
    });
    child.once('close', (code) => finish(timedOut || aborted ? null : code));
  });
}
