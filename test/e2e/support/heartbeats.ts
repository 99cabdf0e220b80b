import { DEFAULT_CRITICAL_SERVICES } from '../../../lambdas/core';
import { apiClient } from '../../../lambdas/contract';

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
    const status = this.stopped ? ('stopped' as const) : ('running' as const);
    const body = await apiClient({ baseUrl: this.url, token: this.token }).call(
      'POST /v1/nodes/{nodeId}/heartbeat',
      {
        path: { nodeId: this.nodeId },
        body: {
          bootId: this.bootId,
          boot: 0,
          sequence: ++this.sequence,
          services: Object.fromEntries(DEFAULT_CRITICAL_SERVICES.map((s) => [s, status])),
          database: 'up',
        },
      },
    );
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
