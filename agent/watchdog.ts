import { spawn } from 'node:child_process';
import type { Clock } from './clock';
import type { Log } from './log';

/** Tells the service manager something: `READY=1`, `WATCHDOG=1`, `STOPPING=1`. */
export interface Notifier {
  notify(state: string): void;
}

/**
 * systemd's notification protocol, through a `systemd-notify` child process: Node cannot
 * open the datagram socket sd_notify needs, the child can. The unit must say
 * `NotifyAccess=all`, since the message comes from the child's pid. Null when the agent
 * does not run under systemd with `Type=notify` (no NOTIFY_SOCKET): then nothing is sent.
 */
export function systemdNotifier(env: NodeJS.ProcessEnv, log: Log): Notifier | null {
  if (!env.NOTIFY_SOCKET) return null;
  let warned = false;
  const warn = (why: string) => {
    if (warned) return;
    warned = true;
    log.error(
      'watchdog',
      `Could not notify systemd (${why}): without WATCHDOG=1 systemd kills the agent after WatchdogSec and fences the node. Install systemd-notify (package systemd) on the agent's PATH.`,
      { detail: why },
    );
  };
  return {
    notify(state) {
      const child = spawn('systemd-notify', [state], { env, stdio: 'ignore' });
      child.once('error', (e) => warn(e.message));
      child.once('exit', (code) => {
        if (code !== 0 && code !== null) warn(`systemd-notify ${state} exited with status ${code}`);
      });
      // The agent's exit must not wait for a notification.
      child.unref();
    },
  };
}

/**
 * How often to send WATCHDOG=1: half of the WatchdogSec systemd passes in WATCHDOG_USEC
 * (systemd's own advice), or null when no watchdog is set for this process.
 */
export function watchdogIntervalMs(env: NodeJS.ProcessEnv, pid = process.pid): number | null {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isFinite(usec) || usec <= 0) return null;
  if (env.WATCHDOG_PID !== undefined && Number(env.WATCHDOG_PID) !== pid) return null;
  return Math.max(100, Math.floor(usec / 2_000));
}

/**
 * Keeps systemd's watchdog fed while the agent is healthy — its heartbeat loop is making
 * progress — and stops feeding it when it is not: systemd then kills the agent, and the
 * unit's OnFailure= runs the node's stop command (agent/systemd/, docs/agent.md). A hung
 * event loop feeds nothing either, since this runs on its timers.
 */
export class Watchdog {
  private cancel: (() => void) | null = null;
  private starving = false;

  constructor(
    private readonly notifier: Notifier,
    private readonly clock: Clock,
    /** Whether the agent is healthy enough to be kept alive. */
    private readonly healthy: () => boolean,
    /** Null: READY=1 only, no watchdog configured. */
    private readonly intervalMs: number | null,
    private readonly log: Log,
  ) {}

  /** READY=1, then WATCHDOG=1 every interval while healthy. */
  start(): void {
    this.notifier.notify('READY=1');
    this.tick();
  }

  /** STOPPING=1, and no more feeding: the agent is exiting on purpose. */
  stop(): void {
    this.cancel?.();
    this.cancel = null;
    this.notifier.notify('STOPPING=1');
  }

  /** Stops feeding without a word: the process is going down hard (the simulator's crash). */
  halt(): void {
    this.cancel?.();
    this.cancel = null;
  }

  private tick(): void {
    if (this.intervalMs === null) return;
    if (this.healthy()) {
      if (this.starving)
        this.log.info('watchdog', 'The heartbeat loop runs again; feeding the systemd watchdog again.');
      this.starving = false;
      this.notifier.notify('WATCHDOG=1');
    } else if (!this.starving) {
      this.starving = true;
      this.log.error(
        'watchdog',
        'The heartbeat loop has stopped making progress: no longer feeding the systemd watchdog, so systemd restarts the agent and its OnFailure unit stops the critical services.',
      );
    }
    this.cancel = this.clock.setTimer(() => this.tick(), this.intervalMs);
  }
}
