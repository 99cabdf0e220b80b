import type { Clock } from '../../../../agent/clock';

interface Timer {
  at: number;
  order: number;
  callback: () => void;
}

/** Lets every promise chain that can move on do so (a macrotask: all microtasks run first). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A clock that moves only when the test says so. `advance` fires the timers that fall due
 * in time order, each at its own instant, and lets promises settle after each one, so a
 * chain of timers and awaits runs as it would in real time, in no time at all.
 */
export class FakeClock implements Clock {
  private time: number;
  private timers: Timer[] = [];
  private created = 0;

  constructor(start = 1_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimer(callback: () => void, ms: number): () => void {
    const timer: Timer = { at: this.time + Math.max(0, ms), order: this.created++, callback };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** How many timers are waiting. */
  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing every timer due by then. */
  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.time + ms);
  }

  /**
   * Moves time forward to `target`, firing every timer due by then. Throws when timers
   * keep arming each other without end (a heartbeat loop that never waits, say).
   */
  async advanceTo(target: number, maxTimers = 10_000): Promise<void> {
    await settle();
    for (let fired = 0; ; fired++) {
      if (fired === maxTimers)
        throw new Error(`more than ${maxTimers} timers fired before ${target}: a runaway loop`);
      const due = this.timers
        .filter((t) => t.at <= target)
        .sort((a, b) => a.at - b.at || a.order - b.order)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = Math.max(this.time, due.at);
      due.callback();
      await settle();
    }
    this.time = Math.max(this.time, target);
    await settle();
  }
}
