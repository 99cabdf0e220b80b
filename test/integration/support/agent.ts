import { DEFAULT_CRITICAL_SERVICES } from '../../../lambdas/core';
import type { Api } from './target';
import { apiClient } from '../../../lambdas/contract';

/**
 * A fake presence node: a heartbeat loop at the interval the control plane answers
 * with, obeying its service orders (stop / start), with knobs for what can go wrong on a
 * real node: a crashed service, the database down, a reboot notice, an SRM restart,
 * silence, a start command that does not work.
 */
export class Agent {
  bootId: string;
  sequence = 0;
  boots = 1;
  crashed = new Set<string>();
  database: 'up' | 'down' = 'up';
  notice: 'reboot' | 'shutdown' | undefined;
  stoppedByOrder = false;
  canStart = true;
  silent = false;
  last: any = null;
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    private readonly url: string,
    readonly nodeId: string,
    public token: string,
  ) {
    this.bootId = `${nodeId}-boot-1`;
  }

  services(): Record<string, 'running' | 'stopped'> {
    return Object.fromEntries(
      DEFAULT_CRITICAL_SERVICES.map((s) => [
        s,
        this.stoppedByOrder || this.crashed.has(s) ? 'stopped' : 'running',
      ]),
    );
  }

  /** Sends one heartbeat now and obeys the answer. */
  async beat(): Promise<any> {
    this.sequence += 1;
    // A refusal rejects with the problem (ApiProblemError): a lost heartbeat to the caller.
    const body = await apiClient({ baseUrl: this.url, token: this.token }).call(
      'POST /v1/nodes/{nodeId}/heartbeat',
      {
        path: { nodeId: this.nodeId },
        body: {
          bootId: this.bootId,
          boot: this.boots,
          sequence: this.sequence,
          services: this.services(),
          database: this.database,
          ...(this.notice ? { notice: this.notice } : {}),
          // Like prg-agent: what it last heard, null before its first answer.
          heard:
            this.last === null
              ? null
              : {
                  group: this.last.group,
                  incarnation: this.last.incarnation ?? null,
                  epoch: this.last.epoch,
                },
        },
      },
    );
    this.last = body;
    if (body.serviceOrder === 'stop') this.stoppedByOrder = true;
    if (body.serviceOrder === 'start' && this.canStart) this.stoppedByOrder = false;
    return body;
  }

  start(): this {
    const loop = async () => {
      if (!this.silent && !this.running) {
        this.running = true;
        try {
          await this.beat();
        } catch {
          // A lost heartbeat is what the control plane is there to notice.
        } finally {
          this.running = false;
        }
      }
      this.timer = setTimeout(loop, (this.last?.nextHeartbeatSeconds ?? 1) * 1000);
    };
    void loop();
    return this;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** The SRM restarts: a new bootId from the next heartbeat on. */
  restartSrm(): void {
    this.boots += 1;
    this.bootId = `${this.nodeId}-boot-${this.boots}`;
    this.sequence = 0;
    this.notice = undefined;
  }
}

let counter = 0;

/**
 * A cluster of its own named after `n`, with these timers, and two nodes registered in it
 * (same publisher and software version, so they can form a group named `prg-${n}`).
 */
export async function registerPair(
  api: Api,
  n: string,
  timers: Record<string, unknown>,
): Promise<{ cluster: string; group: string; nodes: { nodeId: string; token: string }[] }> {
  const cluster = `c-${n}`;
  const patched = await api.patch(`/v1/clusters/${cluster}/parameters`, timers);
  if (patched.status !== 200) throw new Error(JSON.stringify(patched.body));
  const nodes: { nodeId: string; token: string }[] = [];
  for (const side of ['a', 'b']) {
    const nodeId = `imp-${side}-${n}`;
    const res = await api.post('/v1/nodes', {
      nodeId,
      hostname: `${nodeId}.example.com`,
      clusterId: cluster,
      softwareVersion: '15.0',
      publisherId: `pub-${n}`,
    });
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    nodes.push({ nodeId, token: res.body.token });
  }
  return { cluster, group: `prg-${n}`, nodes };
}

/** Small timers: every scenario takes a few seconds of real time. */
export const FAST = {
  keepAliveInterval: 1,
  keepAliveTimeout: 3,
  initializationKeepAliveTimeout: 6,
  criticalServiceDelay: 2,
  automaticFallbackDelay: 3,
};

/**
 * Registers two nodes in a cluster of their own (its own timers), starts their agents
 * (unless `start` is false) and, unless `ha` is false, creates an HA group and waits for
 * both to be Normal.
 */
export async function pair(
  api: Api,
  url: string,
  o: {
    ha?: boolean;
    start?: boolean;
    params?: Record<string, unknown>;
    before?: (a: Agent, b: Agent) => void;
  } = {},
) {
  const { cluster, group, nodes } = await registerPair(api, `${process.pid}-${++counter}`, {
    ...FAST,
    ...o.params,
  });
  const [a, b] = nodes.map((n) => new Agent(url, n.nodeId, n.token)) as [Agent, Agent];
  const agents = [a, b];
  o.before?.(a, b);
  if (o.start !== false) {
    await a.beat();
    await b.beat();
    a.start();
    b.start();
  }
  if (o.ha !== false) {
    const created = await api.post('/v1/groups', {
      name: group,
      nodes: [a.nodeId, b.nodeId],
      highAvailability: true,
    });
    if (created.status !== 201) throw new Error(JSON.stringify(created.body));
    // Each running agent hears an answer of the group and acknowledges it in a later
    // heartbeat, as prg-agent does: only then does its silence prove its fence.
    if (o.start !== false)
      for (const x of agents) {
        const until = Date.now() + 10_000;
        while (x.last?.group !== group && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
        const heardAt = x.sequence;
        while (x.sequence < heardAt + 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      }
  }
  return { a, b, group, cluster, stop: () => agents.forEach((x) => x.stop()) };
}
