import {
  DEFAULT_CLUSTER_PARAMETERS,
  heartbeatResponse,
  newGroup,
  nodeViews,
  transition,
  type ClusterParameters,
  type Effect,
  type GroupEvent,
  type GroupState,
  type HeartbeatBody,
  type NodeStateCode,
  type ReasonCode,
  type TransitionResult,
} from '../../lambdas/core';

/** A fake presence node: what its agent would report, and whether it obeys orders. */
export interface FakeNode {
  id: string;
  /** Sends heartbeats while true. */
  alive: boolean;
  /** Critical services that are down on their own (a crash). */
  crashed: Set<string>;
  database: 'up' | 'down';
  /** Services stopped because the control plane ordered `stop`. */
  stoppedByOrder: boolean;
  /** Whether a `start` order succeeds. */
  canStartServices: boolean;
  bootId: string;
  /** The agent's boot counter: raised at each restart, sent as `boot`. */
  boots: number;
  sequence: number;
  notice?: 'reboot' | 'shutdown';
  lastSentAt: number | null;
  /**
   * What the agent acknowledges with each heartbeat (`heard`): the last answer's group,
   * incarnation and epoch, null before its first answer since it started; `undefined`
   * plays an agent too old to acknowledge.
   */
  heard?: HeartbeatBody['heard'];
  /** Its heartbeats arrive but their answers are lost: it hears no state, no order. */
  answersLost?: boolean;
}

export const T0 = Date.UTC(2026, 10, 24, 10, 0, 0);

/** Small timers so that scenarios run in milliseconds; each test may override them. */
export const FAST_PARAMETERS: ClusterParameters = {
  ...DEFAULT_CLUSTER_PARAMETERS,
  keepAliveInterval: 1,
  keepAliveTimeout: 3,
  initializationKeepAliveTimeout: 6,
  criticalServiceDelay: 2,
  automaticFallbackDelay: 5,
};

/**
 * Drives the pure state machine the way the running product does: nodes heartbeat at
 * the interval and obey service orders, the sweep ticks every second, and workflows
 * move users as soon as the core lets them (or fail, when told to).
 */
export class PairSimulator {
  group: GroupState;
  now = T0;
  readonly nodes: Record<string, FakeNode>;
  readonly effects: Effect[] = [];
  readonly results: TransitionResult[] = [];
  /** When set, the next user move of a workflow fails with this message. */
  failNextMove: string | null = null;
  /** Completes workflows during `run`; turn off to watch an operation in progress. */
  autoWorkflows = true;

  constructor(
    readonly params: ClusterParameters = FAST_PARAMETERS,
    readonly ids: [string, string] = ['imp-a', 'imp-b'],
  ) {
    this.group = newGroup('prg-1', ids);
    this.nodes = Object.fromEntries(ids.map((id) => [id, this.freshNode(id)]));
  }

  private freshNode(id: string): FakeNode {
    return {
      id,
      alive: true,
      crashed: new Set(),
      database: 'up',
      stoppedByOrder: false,
      canStartServices: true,
      bootId: `${id}-boot-1`,
      boots: 1,
      sequence: 0,
      lastSentAt: null,
      heard: null,
    };
  }

  node(id: string): FakeNode {
    const n = this.nodes[id];
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  /** Called before every event with the group as it stands: lets a property watch each step. */
  observer: ((group: GroupState, event: GroupEvent, now: number) => void) | null = null;

  apply(event: GroupEvent): TransitionResult {
    this.observer?.(this.group, event, this.now);
    const result = transition(this.group, event, this.now, this.params);
    this.group = result.group;
    this.effects.push(...result.effects);
    this.results.push(result);
    return result;
  }

  /** Sends one heartbeat from a node as its agent would, and obeys the answer. */
  heartbeat(id: string): TransitionResult {
    const n = this.node(id);
    n.sequence += 1;
    n.lastSentAt = this.now;
    const services: Record<string, 'running' | 'stopped'> = {};
    for (const s of this.params.criticalServices) {
      services[s] = n.stoppedByOrder || n.crashed.has(s) ? 'stopped' : 'running';
    }
    const result = this.apply({
      type: 'Heartbeat',
      nodeId: id,
      heartbeat: {
        bootId: n.bootId,
        boot: n.boots,
        sequence: n.sequence,
        services,
        database: n.database,
        ...(n.notice ? { notice: n.notice } : {}),
        ...(n.heard === undefined ? {} : { heard: n.heard }),
      },
    });
    this.obey(id);
    return result;
  }

  private obey(id: string): void {
    const n = this.node(id);
    if (n.answersLost) return;
    const answer = heartbeatResponse(this.group, id, this.params, this.now);
    const order = answer.serviceOrder;
    if (n.heard !== undefined)
      n.heard = { group: answer.group, incarnation: answer.incarnation, epoch: answer.epoch };
    if (order === 'stop') n.stoppedByOrder = true;
    if (order === 'start' && n.canStartServices) n.stoppedByOrder = false;
  }

  /** Every alive node heartbeats now. */
  beatAll(): void {
    for (const id of this.ids) if (this.node(id).alive) this.heartbeat(id);
  }

  sweep(): TransitionResult {
    return this.apply({ type: 'SweepTick' });
  }

  /** Lets `seconds` pass in one-second steps: heartbeats at the interval, sweep, workflows. */
  run(seconds: number): void {
    for (let i = 0; i < seconds; i++) {
      this.now += 1000;
      for (const id of this.ids) {
        const n = this.node(id);
        if (
          n.alive &&
          (n.lastSentAt === null || this.now - n.lastSentAt >= this.params.keepAliveInterval * 1000)
        ) {
          this.heartbeat(id);
        }
      }
      this.sweep();
      if (this.autoWorkflows) this.completeWorkflow();
    }
  }

  /** Advances the clock without any heartbeat or sweep. */
  wait(seconds: number): void {
    this.now += seconds * 1000;
  }

  /** The running workflow moves its users now, or fails if `failNextMove` is set. */
  completeWorkflow(): TransitionResult | null {
    const op = this.group.operation;
    if (!op || op.phase !== 'MOVE_USERS') return null;
    if (this.failNextMove !== null) {
      const error = this.failNextMove;
      this.failNextMove = null;
      return this.apply({ type: 'WorkflowStepFailed', operationId: op.id, step: 'MOVE_USERS', error });
    }
    return this.apply({ type: 'WorkflowStepSucceeded', operationId: op.id, step: 'MOVE_USERS' });
  }

  /** HA on, both nodes heartbeating and healthy, settled in NORMAL/NORMAL. */
  startNormal(): this {
    this.beatAll();
    this.apply({ type: 'EnableHa' });
    this.run(1);
    // Each agent acknowledges an answer of the HA group, as a running agent does within
    // an interval or two: from then on its silence proves its fence.
    for (let i = 0; i < 2 && this.group.members.some((m) => typeof m.heard !== 'number'); i++) this.beatAll();
    return this;
  }

  /** The node's SRM restarts: a new bootId from its next heartbeat on. */
  restartSrm(id: string): void {
    const n = this.node(id);
    n.boots += 1;
    n.bootId = `${id}-boot-${n.boots}`;
    n.sequence = 0;
    n.notice = undefined;
    // A restarted agent has heard nothing yet (an agent too old to acknowledge stays so).
    if (n.heard !== undefined) n.heard = null;
  }

  crash(id: string, service = this.params.criticalServices[0]!): void {
    this.node(id).crashed.add(service);
  }

  repair(id: string): void {
    const n = this.node(id);
    n.crashed.clear();
    n.database = 'up';
  }

  stateOf(id: string): [NodeStateCode | null, ReasonCode | null] {
    const m = this.group.members.find((x) => x.nodeId === id);
    return [m?.state ?? null, m?.reason ?? null];
  }

  /** Both nodes' [state, reason], node order as created. */
  pair(): [[NodeStateCode | null, ReasonCode | null], [NodeStateCode | null, ReasonCode | null]] {
    return [this.stateOf(this.ids[0]), this.stateOf(this.ids[1])];
  }

  view(id: string) {
    const v = nodeViews(this.group).find((x) => x.nodeId === id);
    if (!v) throw new Error(`no view for ${id}`);
    return v;
  }

  /** The node that serves users whose home is `home`. */
  servingNodeOf(home: string): string {
    const peer = this.ids.find((x) => x !== home)!;
    return this.group.failedOver === home ? peer : home;
  }

  lastRefusal(): Extract<Effect, { type: 'Refuse' }> | undefined {
    const last = this.results.at(-1);
    return last?.effects.find((e): e is Extract<Effect, { type: 'Refuse' }> => e.type === 'Refuse');
  }
}
