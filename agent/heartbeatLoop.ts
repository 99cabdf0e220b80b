import { sleep, systemClock, type Clock } from './clock';

/**
 * When the next heartbeat goes out. Steady: at the interval the control plane answered
 * with, counted from when the last one was sent (so slow checks do not stretch it).
 * After a failure: sooner than the interval at first, backing off exponentially up to
 * it, each delay jittered — a recovering API is not hit by every node at the same
 * instant — and never longer than the interval, because every missed interval brings
 * the node closer to being failed over.
 */
export class HeartbeatLoop {
  private cancelTimer: (() => void) | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private active = false;
  private failures = 0;
  /** The interval the control plane asked for (ms); before its first answer, a guess. */
  intervalMs = 5_000;
  /** When a heartbeat last began or ended (the loop's clock): the watchdog's sign of life. */
  private progressAt: number;

  constructor(
    /** Sends one heartbeat; resolves with when it was sent, and whether it was acknowledged. */
    private readonly beat: () => Promise<{ acknowledged: boolean; sentAt: number }>,
    private readonly random: () => number = Math.random,
    private readonly clock: Clock = systemClock,
  ) {
    this.progressAt = clock.now();
  }

  /**
   * The loop is beating and has made progress within the last `graceMs` on top of its
   * interval: a heartbeat that never ends or a timer that never fires shows here.
   */
  progressing(graceMs: number): boolean {
    return this.active && this.clock.now() - this.progressAt <= this.intervalMs + graceMs;
  }

  /** Starts beating: the first heartbeat goes out at once. */
  start(): void {
    this.active = true;
    this.progressAt = this.clock.now();
    this.failures = 0;
    this.schedule(0);
  }

  /** Stops beating and waits (at most `waitMs`) for a heartbeat already on its way. */
  async stop(waitMs: number): Promise<void> {
    this.active = false;
    this.cancelTimer?.();
    this.cancelTimer = null;
    if (this.running) await Promise.race([this.running, sleep(this.clock, waitMs)]);
  }

  /**
   * Beats as soon as possible (after an order's command ran, so the control plane sees
   * its effect now rather than an interval later) — but only while the control plane
   * answers: during an outage the backoff decides.
   */
  soon(): void {
    if (!this.active || this.failures > 0) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (!this.active) return;
    this.cancelTimer?.();
    this.cancelTimer = this.clock.setTimer(() => void this.tick(), delayMs);
  }

  private async tick(): Promise<void> {
    this.cancelTimer = null;
    if (!this.active || this.running) return;
    let outcome = { acknowledged: false, sentAt: this.clock.now() };
    this.progressAt = this.clock.now();
    this.running = this.beat().then(
      (o) => void (outcome = o),
      () => undefined,
    );
    await this.running;
    this.running = null;
    this.progressAt = this.clock.now();
    if (outcome.acknowledged) this.failures = 0;
    else this.failures += 1;
    if (this.again && outcome.acknowledged) {
      this.again = false;
      return this.schedule(0);
    }
    this.again = false;
    this.schedule(
      outcome.acknowledged
        ? Math.max(0, outcome.sentAt + this.intervalMs - this.clock.now())
        : retryDelayMs(this.failures, this.intervalMs, this.random),
    );
  }
}

/**
 * The wait before retry number `failures` (1, 2, …): 0.5 s doubling per failure, capped
 * at the heartbeat interval, the actual delay drawn between half of that and all of it.
 */
export function retryDelayMs(failures: number, intervalMs: number, random: () => number): number {
  const cap = Math.min(intervalMs, 500 * 2 ** Math.min(Math.max(failures, 1) - 1, 16));
  return Math.round(cap / 2 + (random() * cap) / 2);
}
