import type { HeartbeatAnswer } from '../../../../agent/api';
import type { Log, LogLine } from '../../../../agent/log';
import type { ActionResult, NodeServices, Observation } from '../../../../agent/services';

/** Lets every promise chain that can move on do so. */
export const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** An answer of the control plane: a node of group prg-1, Normal, order `leave`, unless told. */
export function answer(fields: Partial<HeartbeatAnswer> = {}): HeartbeatAnswer {
  return {
    group: 'prg-1',
    state: 'NORMAL',
    reason: null,
    epoch: 1,
    serviceOrder: 'leave',
    nextHeartbeatSeconds: 5,
    ...fields,
  };
}

/** A log that keeps its lines. */
export function memoryLog(): Log & { lines: { level: string; event: string; message: string }[] } {
  const lines: { level: string; event: string; message: string }[] = [];
  const at = (level: string) => (event: string, message: string) =>
    void lines.push({ level, event, message });
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

/** The events of log lines, in order. */
export const events = (lines: readonly { event: string }[] | readonly LogLine[]) => lines.map((l) => l.event);

/**
 * Critical services that record every start and stop, in the order they began and ended.
 * Running or not follows the commands. With `hold`, commands wait until `release()`.
 */
export class RecordingServices implements NodeServices {
  readonly names = ['Cisco SIP Proxy', 'Cisco Presence Engine'];
  running = true;
  /** Each command as it began (`start`, `stop`) and as it ended (`start done`, `stop done`). */
  readonly calls: string[] = [];
  hold = false;
  fail: 'start' | 'stop' | null = null;
  private waiting: (() => void)[] = [];

  /** Lets the oldest held command finish. */
  release(): void {
    this.waiting.shift()?.();
  }

  /** How many commands began. */
  count(action: 'start' | 'stop'): number {
    return this.calls.filter((c) => c === action).length;
  }

  async observe(): Promise<Observation> {
    const status = this.running ? 'running' : 'stopped';
    return { services: Object.fromEntries(this.names.map((n) => [n, status])), database: 'up' };
  }

  start(signal?: AbortSignal): Promise<ActionResult> {
    return this.run('start', signal);
  }

  stop(signal?: AbortSignal): Promise<ActionResult> {
    return this.run('stop', signal);
  }

  private async run(action: 'start' | 'stop', signal?: AbortSignal): Promise<ActionResult> {
    this.calls.push(action);
    if (this.hold) {
      // A held command ends when released, or at once when killed (as a killed process would).
      const killed = await new Promise<boolean>((resolve) => {
        const release = () => resolve(false);
        this.waiting.push(release);
        signal?.addEventListener(
          'abort',
          () => {
            this.waiting = this.waiting.filter((w) => w !== release);
            resolve(true);
          },
          { once: true },
        );
      });
      if (killed) {
        this.calls.push(`${action} killed`);
        return {
          ok: false,
          command: `/opt/presence/${action}`,
          exitCode: null,
          durationMs: 0,
          detail: 'killed',
        };
      }
    }
    const ok = this.fail !== action;
    if (ok) this.running = action === 'start';
    this.calls.push(`${action} done`);
    return {
      ok,
      command: `/opt/presence/${action}`,
      exitCode: ok ? 0 : 1,
      durationMs: 0,
      detail: ok ? '' : 'exited with status 1',
    };
  }
}
