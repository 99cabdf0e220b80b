import { systemClock, type Clock } from './clock';

/**
 * How long before keepAliveTimeout the fence starts the stop: the node's declared stop
 * time (`stopTimeSeconds`), else 10 s or a quarter of the timeout, whichever is shorter.
 */
export function stopMarginMs(timeoutMs: number, declaredStopMs: number | null): number {
  return declaredStopMs ?? Math.min(10_000, Math.floor(timeoutMs / 4));
}

/**
 * Self-fencing: a node that gets no answer for keepAliveTimeout must assume it has been
 * failed over and stop serving. The control plane starts its clock when it
 * receives a heartbeat; this one starts when the agent *sent* the last heartbeat that was
 * acknowledged, which is never later. The fence fires the node's stop time before
 * keepAliveTimeout, so that a stop taking that long has finished by the moment the
 * control plane may let the peer take the users over: the two never serve the same
 * users, whatever the network delay (docs/safety.md). Time is read from the injected
 * monotonic clock only. Before any acknowledgement the clock starts when the agent
 * starts.
 */
export class Fence {
  private cancelTimer: (() => void) | null = null;
  private lastAckSentAt: number;
  private fencedAt: number | null = null;

  constructor(
    private timeoutMs: number,
    /**
     * Called once when the fence is due (the stop margin before the timeout) with no
     * acknowledgement (`silentMs` since the last one); returns whether the node fenced (a node in no HA group does not).
     */
    private readonly onFence: (silentMs: number) => boolean,
    private readonly clock: Clock = systemClock,
    /** The node's declared stop time (ms), or null for the default (see {@link stopMarginMs}). */
    private readonly declaredStopMs: number | null = null,
  ) {
    this.lastAckSentAt = clock.now();
  }

  /** The control plane's own fence time (its answer's `fenceAfterSeconds`), in ms, once heard. */
  private toldFenceAfterMs: number | null = null;

  /**
   * How long after the last acknowledged heartbeat was sent the fence fires (ms): what
   * the control plane last said (it knows the cluster's stop time and its clock slack),
   * else the timeout less the local stop margin.
   */
  get fenceAfterMs(): number {
    if (this.toldFenceAfterMs !== null) return Math.min(this.toldFenceAfterMs, this.timeoutMs);
    return Math.max(0, this.timeoutMs - stopMarginMs(this.timeoutMs, this.declaredStopMs));
  }

  /** The margin the stop is given before keepAliveTimeout runs out, in seconds. */
  get stopMarginSeconds(): number {
    return (this.timeoutMs - this.fenceAfterMs) / 1000;
  }

  /** Starts watching (from now, or from the last acknowledgement). */
  arm(): void {
    this.schedule();
  }

  get fenced(): boolean {
    return this.fencedAt !== null;
  }

  /** When the agent fenced (on its clock), or null. */
  get since(): number | null {
    return this.fencedAt;
  }

  get timeoutSeconds(): number {
    return this.timeoutMs / 1000;
  }

  /**
   * A heartbeat sent at `sentAt` (on the same clock) was acknowledged. Returns how long the agent had been
   * fenced (ms) when this ends a fence, else null. `timeoutMs` and `fenceAfterMs` update
   * the timeout and the fence time when the control plane tells them.
   */
  acknowledged(sentAt: number, timeoutMs?: number, fenceAfterMs?: number): number | null {
    if (timeoutMs !== undefined) this.timeoutMs = timeoutMs;
    if (fenceAfterMs !== undefined) this.toldFenceAfterMs = fenceAfterMs;
    this.lastAckSentAt = Math.max(this.lastAckSentAt, sentAt);
    const ended = this.fencedAt === null ? null : this.clock.now() - this.fencedAt;
    this.fencedAt = null;
    this.schedule();
    return ended;
  }

  /** Forgets everything, as a freshly started agent (a simulated reboot). */
  reset(): void {
    this.lastAckSentAt = this.clock.now();
    this.fencedAt = null;
    this.schedule();
  }

  /** Stops watching: the agent is exiting or pretends to be powered off. */
  disarm(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
  }

  private schedule(): void {
    this.disarm();
    if (this.fencedAt !== null) return;
    const due = this.lastAckSentAt + this.fenceAfterMs;
    this.cancelTimer = this.clock.setTimer(() => this.fire(), Math.max(0, due - this.clock.now()));
  }

  private fire(): void {
    this.cancelTimer = null;
    const silentMs = this.clock.now() - this.lastAckSentAt;
    // A late timer (a suspended VM) still fences: the deadline has passed either way.
    if (silentMs < this.fenceAfterMs) return this.schedule();
    // Not fenced (no HA): nothing more to watch until the control plane answers again.
    if (this.onFence(silentMs)) this.fencedAt = this.clock.now();
  }
}
