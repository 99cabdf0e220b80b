/**
 * Self-fencing (SPEC §5): "a node that gets no answer for keepAliveTimeout must assume
 * it has been failed over and stop serving". The control plane starts its clock when it
 * receives a heartbeat; this one starts when the agent *sent* the last heartbeat that was
 * acknowledged, which is never later. So the node stops serving no later than the moment
 * the control plane may let its peer take the users over: the two never serve the same
 * users, whatever the network delay. Before any acknowledgement the clock starts when the
 * agent starts (the previous agent's last heartbeat was older still).
 */
export class Fence {
  private timer: NodeJS.Timeout | null = null;
  private lastAckSentAt: number;
  private fencedAt: number | null = null;

  constructor(
    private timeoutMs: number,
    /**
     * Called once when the timeout passes with no acknowledgement (`silentMs` since the
     * last one); returns whether the node fenced (a node in no HA group does not).
     */
    private readonly onFence: (silentMs: number) => boolean,
    private readonly now: () => number = Date.now,
  ) {
    this.lastAckSentAt = now();
  }

  /** Starts watching (from now, or from the last acknowledgement). */
  arm(): void {
    this.schedule();
  }

  get fenced(): boolean {
    return this.fencedAt !== null;
  }

  /** When the agent fenced (epoch ms), or null. */
  get since(): number | null {
    return this.fencedAt;
  }

  get timeoutSeconds(): number {
    return this.timeoutMs / 1000;
  }

  /**
   * A heartbeat sent at `sentAt` was acknowledged. Returns how long the agent had been
   * fenced (ms) when this ends a fence, else null. `timeoutMs` updates the timeout when
   * the control plane tells it.
   */
  acknowledged(sentAt: number, timeoutMs?: number): number | null {
    if (timeoutMs !== undefined) this.timeoutMs = timeoutMs;
    this.lastAckSentAt = Math.max(this.lastAckSentAt, sentAt);
    const ended = this.fencedAt === null ? null : this.now() - this.fencedAt;
    this.fencedAt = null;
    this.schedule();
    return ended;
  }

  /** Forgets everything, as a freshly started agent (a simulated reboot). */
  reset(): void {
    this.lastAckSentAt = this.now();
    this.fencedAt = null;
    this.schedule();
  }

  /** Stops watching: the agent is exiting or pretends to be powered off. */
  disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    this.disarm();
    if (this.fencedAt !== null) return;
    const due = this.lastAckSentAt + this.timeoutMs;
    this.timer = setTimeout(() => this.fire(), Math.max(0, due - this.now()));
  }

  private fire(): void {
    this.timer = null;
    const silentMs = this.now() - this.lastAckSentAt;
    // A late timer (a suspended VM) still fences: the deadline has passed either way.
    if (silentMs < this.timeoutMs) return this.schedule();
    // Not fenced (no HA): nothing more to watch until the control plane answers again.
    if (this.onFence(silentMs)) this.fencedAt = this.now();
  }
}
