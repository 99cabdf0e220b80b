import { DEFAULT_CRITICAL_SERVICES } from '../../../lambdas/core';

/**
 * A stand-in for a node's agent: a heartbeat every second with every critical service
 * running and the database up, obeying the control plane's service orders (stop on
 * `stop`, start on `start`) as a real agent does, so that failovers and fallbacks
 * complete.
 */
export class Heartbeats {
  private sequence = 0;
  private readonly bootId: string;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly url: string,
    readonly nodeId: string,
    private readonly token: string,
  ) {
    this.bootId = `${nodeId}-${Date.now()}`;
  }

  /** Sends one heartbeat and obeys its answer. */
  async beat(): Promise<void> {
    const status = this.stopped ? 'stopped' : 'running';
    const res = await fetch(`${this.url}/v1/nodes/${this.nodeId}/heartbeat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        bootId: this.bootId,
        boot: 0,
        sequence: ++this.sequence,
        services: Object.fromEntries(DEFAULT_CRITICAL_SERVICES.map((s) => [s, status])),
        database: 'up',
      }),
    });
    const body = (await res.json()) as { serviceOrder?: string };
    if (res.status !== 200)
      throw new Error(`heartbeat of ${this.nodeId}: ${res.status} ${JSON.stringify(body)}`);
    if (body.serviceOrder === 'stop') this.stopped = true;
    if (body.serviceOrder === 'start') this.stopped = false;
  }

  /** Beats every second until `stop`. */
  start(): this {
    const loop = () => {
      this.beat()
        .catch(() => undefined)
        .finally(() => {
          if (this.timer) this.timer = setTimeout(loop, 1000);
        });
    };
    this.timer = setTimeout(loop, 0);
    return this;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
