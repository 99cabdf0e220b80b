import {
  heartbeatResponse,
  newGroup,
  transition,
  DEFAULT_CLUSTER_PARAMETERS,
  type ClusterParameters,
  type GroupEvent,
  type GroupState,
  type HeartbeatBody,
} from '../../lambdas/core';
import { Agent } from '../../agent/agent';
import type { HeartbeatOutcome } from '../../agent/api';
import { MemoryBootCounter } from '../../agent/bootCounter';
import type { Clock } from '../../agent/clock';
import { parseConfig } from '../../agent/config';
import type { ActionResult, NodeServices, Observation } from '../../agent/services';

/**
 * A deterministic, seeded simulation of one presence redundancy group: the real core
 * (`transition`, `heartbeatResponse`) as the control plane, two real agents (`Agent`, with
 * its fence, order queue and heartbeat loop) on simulated clocks, and between them a
 * network that drops, delays, duplicates and reorders messages. Faults are drawn from the
 * seed: partitions, control-plane outages, node crashes and reboots, service crashes,
 * slow starts and stops, timer changes and concurrent admin actions. docs/safety.md,
 * "Simulator", says what is checked and what is assumed.
 */

const NODES = ['imp-a', 'imp-b'] as const;
type NodeId = (typeof NODES)[number];
const SERVICES = ['Cisco SIP Proxy', 'Cisco Presence Engine'];
/** The sweep runs every minute (lib/presence-ha-stack.ts). */
const SWEEP_MS = 60_000;
/** How late past a deadline the sweep may notice it. */
const SWEEP_SLACK_MS = SWEEP_MS + 1_000;

/** A small, fast, seedable PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
  /** The callback may resume an agent's promise chain: let it run before the next timer. */
  settle: boolean;
}

/** A binary min-heap of timers by time, then by creation order (deterministic ties). */
class TimerQueue {
  private heap: Timer[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(at: number, fn: () => void, settle: boolean): Timer {
    const timer = { at, seq: this.seq++, fn, cancelled: false, settle };
    const h = this.heap;
    h.push(timer);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
    return timer;
  }

  pop(): Timer | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }

  private less(a: Timer, b: Timer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }
}

/**
 * Lets every promise chain the last callback started run to its next wait (every wait the
 * agent can reach is a simulator timer). Only timers that touch an agent need it: it is
 * most of a simulated event's cost.
 */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** One broken rule, at a simulated instant. */
export interface Violation {
  at: number;
  kind: 'double-serving' | 'stuck';
  detail: string;
}

/** What one seed did. */
export interface SeedResult {
  seed: number;
  violations: Violation[];
  /** Total time some users were served by both nodes (ms). */
  doubleServingMs: number;
  /** Automatic failovers of a node that was up, healthy and reachable. */
  falseFailovers: number;
  /** Operations or transitional states past their deadline, or left over after the quiet tail. */
  stuck: number;
  /** Total time some users were served by no node (ms). */
  unservedMs: number;
  /** Simulated time (ms). */
  durationMs: number;
  /** The last lines of the trace (all of them with `fullTrace`). */
  trace: string[];
  /** The fault period asked for, if not the seed's own (needed to replay the seed). */
  durationOption: number | null;
}

export interface SimOptions {
  /** Build the trace (default true); bulk runs turn it off and replay a failing seed with it. */
  trace?: boolean;
  /** Keep every trace line rather than the last few hundred. */
  fullTrace?: boolean;
  /** Simulated time with faults (ms); a quiet tail follows. Default 30 to 60 s, from the seed. */
  durationMs?: number;
}

/** The node as the simulator sees it: power, services, what it serves, its network link. */
interface SimNode {
  id: NodeId;
  up: boolean;
  /** The critical services run (and so serve whatever users the node holds). */
  running: boolean;
  /** A service crashed on its own: reported stopped until started again. */
  fault: boolean;
  agent: Agent | null;
  services: SimServices | null;
  disk: MemoryBootCounter;
  /** Home nodes whose users this node serves or still believes it serves. */
  holds: Set<NodeId>;
  /**
   * Its last answer said it is falling back (FALLING_BACK): it has handed its peer's
   * users back and serves only its own, even while the control plane still maps them to
   * it (the fallback waits for this acknowledgement before moving them home).
   */
  handingBack: boolean;
  /** Until then (sim ms) heartbeats to / answers from the control plane are lost. */
  upCutUntil: number;
  downCutUntil: number;
  /** The agent's clock runs this much fast (> 0) or slow. */
  drift: number;
  /** When the node was last unreachable, crashed or faulty (sim ms), for false failovers. */
  lastTroubleAt: number;
}

/** The critical services of a simulated node: starts and stops take time, and can be killed. */
class SimServices implements NodeServices {
  readonly names = SERVICES;
  detached = false;

  constructor(
    private readonly sim: Simulation,
    private readonly node: SimNode,
  ) {}

  async observe(): Promise<Observation> {
    const status = this.node.running && !this.node.fault ? 'running' : 'stopped';
    return { services: Object.fromEntries(SERVICES.map((n) => [n, status])), database: 'up' };
  }

  start(signal?: AbortSignal): Promise<ActionResult> {
    return this.run('start', this.sim.startDurationMs(), signal);
  }

  stop(signal?: AbortSignal): Promise<ActionResult> {
    return this.run('stop', this.sim.stopDurationMs(), signal);
  }

  private run(action: 'start' | 'stop', ms: number, signal?: AbortSignal): Promise<ActionResult> {
    const result = (ok: boolean, detail = ''): ActionResult => ({
      ok,
      command: action,
      exitCode: ok ? 0 : null,
      durationMs: ms,
      detail,
    });
    if (this.detached) return Promise.resolve(result(false, 'the node is down'));
    return new Promise((resolve) => {
      const cancel = this.sim.after(ms, () => {
        signal?.removeEventListener('abort', onAbort);
        if (this.detached) return resolve(result(false, 'the node went down'));
        // Services serve from the end of a start until the end of a stop.
        this.node.running = action === 'start';
        // Either way the crashed service is no longer the operator's to restart by hand.
        this.node.fault = false;
        this.sim.note(`${this.node.id} services ${action === 'start' ? 'started' : 'stopped'} (${ms} ms)`);
        this.sim.changed();
        resolve(result(true));
      });
      const onAbort = () => {
        cancel();
        this.sim.note(`${this.node.id} ${action} killed`);
        resolve(result(false, 'killed'));
      };
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** Sim time to a string a person can follow: seconds with milliseconds. */
const t = (ms: number) => `${(ms / 1000).toFixed(3).padStart(8)}s`;

/** The simulation of one seed. */
export class Simulation {
  now = 0;
  private readonly queue = new TimerQueue();
  private readonly rand: () => number;
  private readonly trace: string[] = [];
  private readonly nodes: Record<NodeId, SimNode>;
  private group: GroupState;
  params: ClusterParameters;
  private cpDownUntil = 0;
  private readonly violations: Violation[] = [];
  private doubleServingMs = 0;
  private unservedMs = 0;
  private falseFailovers = 0;
  private stuck = 0;
  private lastAccounted = 0;
  private doubleNow = false;
  private unservedNow = false;
  private readonly faultsUntil: number;
  private readonly endAt: number;
  /** Network: loss, duplication, delays (ms). */
  private readonly net: { loss: number; dup: number; minDelay: number; maxDelay: number; tail: number };
  private readonly slowStops: boolean;
  private readonly stuckSeen = new Set<string>();
  events = 0;
  /** Trace lines are built only when asked for (a failing seed is replayed with them). */
  private readonly tracing: boolean;

  constructor(
    readonly seed: number,
    private readonly options: SimOptions = {},
  ) {
    this.rand = prng(seed);
    this.tracing = options.trace ?? true;
    const r = this.rand;
    const interval = this.pick([1, 2, 3, 5]);
    const stop = this.pick([0, 1, 2, 3]);
    // Only timers the control plane accepts: the fence starts ≥ 2 intervals after the last answer.
    const timeout = Math.max(interval * 3, Math.ceil(stop + 2 * interval + 1 + r() * 10));
    this.params = {
      ...DEFAULT_CLUSTER_PARAMETERS,
      keepAliveInterval: interval,
      keepAliveTimeout: timeout,
      initializationKeepAliveTimeout: timeout + Math.floor(r() * 20),
      criticalServiceDelay: Math.floor(r() * 10),
      enableAutomaticFallback: r() < 0.5,
      automaticFallbackDelay: 20 + Math.floor(r() * 60),
      criticalServices: [...SERVICES],
      serviceStopSeconds: stop,
    };
    this.net = {
      loss: r() < 0.3 ? 0 : r() * 0.1,
      dup: r() * 0.05,
      minDelay: 1 + Math.floor(r() * 20),
      maxDelay: 30 + Math.floor(r() * 400),
      tail: r() * 0.02,
    };
    this.slowStops = r() < 0.5;
    const duration = options.durationMs ?? 30_000 + Math.floor(r() * 30_000);
    this.faultsUntil = duration;
    // The repair comes one initialization window after the faults, and the end one more later.
    this.endAt = duration + 2 * this.params.initializationKeepAliveTimeout * 1000 + SWEEP_SLACK_MS + 10_000;
    this.group = newGroup('prg-1', [...NODES]);
    const node = (id: NodeId): SimNode => ({
      id,
      up: true,
      running: true,
      fault: false,
      agent: null,
      services: null,
      disk: new MemoryBootCounter(1),
      holds: new Set(),
      handingBack: false,
      upCutUntil: 0,
      downCutUntil: 0,
      drift: (r() * 2 - 1) * 1e-4,
      lastTroubleAt: -Infinity,
    });
    this.nodes = { 'imp-a': node('imp-a'), 'imp-b': node('imp-b') };
    this.note(
      `seed ${seed}: interval ${interval} s, timeout ${timeout} s, init ${this.params.initializationKeepAliveTimeout} s, ` +
        `criticalServiceDelay ${this.params.criticalServiceDelay} s, stop ${stop} s, autoFallback ${this.params.enableAutomaticFallback}, ` +
        `loss ${this.net.loss.toFixed(3)}, dup ${this.net.dup.toFixed(3)}, delay ${this.net.minDelay}-${this.net.maxDelay} ms`,
    );
  }

  private get stopSeconds(): number {
    return this.params.serviceStopSeconds ?? 0;
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.rand() * items.length)]!;
  }

  /**
   * Calls `fn` `ms` from now; returns a function that cancels it. `touchesAgent: false`
   * for the control plane's and the world's own events, which resume no agent.
   */
  after(ms: number, fn: () => void, touchesAgent = true): () => void {
    const timer = this.queue.push(this.now + Math.max(0, ms), fn, touchesAgent);
    return () => void (timer.cancelled = true);
  }

  note(line: string): void {
    if (!this.tracing) return;
    this.trace.push(`${t(this.now)} ${line}`);
    if (!this.options.fullTrace && this.trace.length > 600) this.trace.splice(0, 200);
  }

  /** How long a stop takes: within the declared stop time (docs/safety.md assumes it). */
  stopDurationMs(): number {
    const declared = this.stopSeconds * 1000;
    return this.slowStops
      ? Math.floor(declared * this.rand())
      : Math.floor(Math.min(declared, 200) * this.rand());
  }

  /** How long a start takes: usually seconds, sometimes minutes. */
  startDurationMs(): number {
    return this.rand() < 0.1 ? 30_000 + Math.floor(this.rand() * 120_000) : Math.floor(this.rand() * 5_000);
  }

  /** A clock for one node's agent: its own origin and drift. */
  private clockFor(node: SimNode): Clock {
    const origin = Math.floor(this.rand() * 1e9);
    const bootAt = this.now;
    return {
      now: () => Math.floor(origin + (this.now - bootAt) * (1 + node.drift)),
      setTimer: (callback, ms) => this.after(Math.ceil(ms / (1 + node.drift)), callback),
    };
  }

  private delay(): number {
    const { minDelay, maxDelay, tail } = this.net;
    const base = minDelay + Math.floor(this.rand() * (maxDelay - minDelay));
    return this.rand() < tail ? base + Math.floor(this.rand() * 5_000) : base;
  }

  /** A heartbeat from `node`'s agent `agent`, carried over the simulated network. */
  private transport(node: SimNode, agent: () => Agent | null) {
    return (body: HeartbeatBody, timeoutMs: number): Promise<HeartbeatOutcome> =>
      new Promise((resolve) => {
        let done = false;
        const finish = (outcome: HeartbeatOutcome) => {
          if (done) return false;
          done = true;
          resolve(outcome);
          return true;
        };
        this.after(Math.ceil(timeoutMs / (1 + node.drift)), () =>
          finish({ kind: 'unreachable', detail: `no answer within ${timeoutMs} ms` }),
        );
        const copies = this.rand() < this.net.dup ? 2 : 1;
        for (let i = 0; i < copies; i++) {
          if (this.now < node.upCutUntil || this.rand() < this.net.loss) continue;
          this.after(
            this.delay(),
            () => {
              if (this.now < this.cpDownUntil) return;
              const outcome = this.receive(node.id, body);
              if (this.now < node.downCutUntil || this.rand() < this.net.loss) return;
              const failedOver = this.group.failedOver;
              this.after(this.delay(), () => {
                const me = agent();
                if (!me || node.agent !== me || !node.up) return;
                if (finish(outcome) && outcome.kind === 'answered') {
                  // Falling back or initializing (a recovery): it serves only its own users.
                  node.handingBack =
                    outcome.answer.state === 'FALLING_BACK' || outcome.answer.state === 'INITIALIZING';
                  this.learn(node, failedOver);
                }
              });
            },
            false,
          );
        }
      });
  }

  /** The control plane's heartbeat handler: one transition, then the answer. */
  private receive(nodeId: NodeId, body: HeartbeatBody): HeartbeatOutcome {
    const result = this.apply({ type: 'Heartbeat', nodeId, heartbeat: body }, false);
    const refusal = result.effects.find((e) => e.type === 'Refuse');
    if (refusal && refusal.type === 'Refuse')
      return { kind: 'refused', status: 409, detail: refusal.message, code: refusal.code };
    const answer = heartbeatResponse(this.group, nodeId, this.params, this.now);
    return { kind: 'answered', answer: { ...answer } };
  }

  /** The node heard where its users are as of `failedOver`: it drops users that are not its own. */
  private learn(node: SimNode, failedOver: string | null, recompute = true): void {
    for (const home of [...node.holds])
      if (!this.mapsTo(home, node.id, failedOver) || (node.handingBack && home !== node.id))
        node.holds.delete(home);
    if (recompute) this.changed();
  }

  private mapsTo(home: NodeId, node: NodeId, failedOver: string | null): boolean {
    return failedOver === home ? node !== home : node === home;
  }

  private apply(event: GroupEvent, traceIt = true) {
    const before = this.group;
    const result = transition(before, event, this.now, this.params);
    this.group = result.group;
    const changed = result.group !== before;
    if (this.tracing && (traceIt || changed || result.outcome === 'refused')) {
      const what =
        event.type === 'Heartbeat'
          ? `Heartbeat ${event.nodeId} seq ${event.heartbeat.sequence} boot ${event.heartbeat.boot} ${event.heartbeat.services[SERVICES[0]!]}`
          : JSON.stringify(event);
      this.note(
        `cp ${what} → ${result.outcome} ${this.group.members.map((m) => `${m.nodeId}:${m.state ?? '-'}/${m.reason ?? '-'}`).join(' ')} failedOver ${this.group.failedOver ?? '-'} epoch ${this.group.epoch}`,
      );
    }
    // A user move reaches the nodes the control plane can reach at once (the move itself
    // logs the users off the node they leave); a node cut off learns from a later answer.
    if (before.failedOver !== this.group.failedOver)
      for (const node of Object.values(this.nodes))
        if (node.up && this.now >= node.downCutUntil) this.learn(node, this.group.failedOver, false);
    for (const effect of result.effects) {
      if (effect.type === 'StartWorkflow') this.startWorkflow(effect);
      if (effect.type === 'Refuse' && event.type !== 'Heartbeat') this.note(`cp refused: ${effect.code}`);
    }
    this.changed();
    return result;
  }

  private startWorkflow(effect: {
    workflow: string;
    operationId: string;
    fromNode: string;
    toNode: string;
    waitSeconds?: number;
    reason?: string;
  }): void {
    const op = this.group.operation;
    this.note(`workflow ${effect.workflow} ${effect.operationId} ${effect.fromNode} → ${effect.toNode}`);
    if (effect.workflow === 'AUTO_FALLBACK') {
      this.after(
        (effect.waitSeconds ?? 0) * 1000,
        () => this.whenUp(() => this.apply({ type: 'AutomaticFallbackDue', timerId: effect.operationId })),
        false,
      );
      return;
    }
    if (effect.workflow === 'TAKE_OVER' && op && op.reason !== 'ON_ADMIN_REQUEST') {
      const from = this.nodes[op.from as NodeId];
      const window = (this.params.keepAliveTimeout + 5) * 1000;
      if (from.up && from.running && !from.fault && this.now - from.lastTroubleAt > window) {
        this.falseFailovers += 1;
        this.note(`FALSE FAILOVER of ${from.id}`);
      }
    }
    const id = effect.operationId;
    const check = () =>
      this.whenUp(() => {
        this.apply({ type: 'SweepTick' }, false);
        const current = this.group.operation;
        if (!current || current.id !== id) return;
        // Waiting for a node to stop or start its services: poll, as the workflow does.
        if (current.phase !== 'MOVE_USERS') {
          this.after(Math.max(1, Math.min(this.params.keepAliveInterval, 10)) * 1000, check, false);
          return;
        }
        this.after(
          100 + Math.floor(this.rand() * 900),
          () =>
            this.whenUp(() =>
              this.apply(
                this.rand() < 0.003
                  ? {
                      type: 'WorkflowStepFailed',
                      operationId: id,
                      step: 'MOVE_USERS',
                      error: 'simulated failure',
                    }
                  : { type: 'WorkflowStepSucceeded', operationId: id, step: 'MOVE_USERS' },
              ),
            ),
          false,
        );
      });
    // Step Functions starts the execution and its first task within a second or so.
    this.after(200 + Math.floor(this.rand() * 1_800), check, false);
  }

  /** Runs `fn` now, or once a control-plane outage is over (its Lambdas retry). */
  private whenUp(fn: () => void): void {
    if (this.now >= this.cpDownUntil) return fn();
    this.after(this.cpDownUntil - this.now + Math.floor(this.rand() * 2_000), () => this.whenUp(fn), false);
  }

  /** Boots `node`'s agent (at the start, and after a reboot). */
  private bootAgent(node: SimNode): void {
    const parsed = parseConfig(
      {
        apiUrl: 'http://control-plane.invalid',
        nodeId: node.id,
        token: 'simulated',
        keepAliveTimeoutSeconds: this.params.keepAliveTimeout,
        stopTimeSeconds: Math.min(this.stopSeconds, this.params.keepAliveTimeout - 1),
      },
      { simulate: true },
    );
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    const services = new SimServices(this, node);
    node.services = services;
    const random = prng(Math.floor(this.rand() * 2 ** 31));
    let self: Agent | null = null;
    const agent = new Agent({
      config: parsed.config,
      services,
      clock: this.clockFor(node),
      bootCounter: node.disk,
      random,
      newBootId: (id, boot) => `${id}-boot-${boot}`,
      env: {},
      sendHeartbeat: this.transport(node, () => self),
      writeLog: (line) => {
        if (!this.tracing) return;
        if (line.event !== 'services-changed')
          this.note(`${node.id} agent ${line.event}: ${line.message.slice(0, 160)}`);
      },
    });
    self = agent;
    node.agent = agent;
    void agent.start();
  }

  private crash(node: SimNode, downMs: number): void {
    if (!node.up) return;
    this.note(`${node.id} CRASH for ${downMs} ms`);
    node.up = false;
    node.running = false;
    node.fault = false;
    node.holds.clear();
    node.handingBack = false;
    node.lastTroubleAt = Infinity;
    node.agent?.halt();
    node.agent = null;
    if (node.services) node.services.detached = true;
    this.changed();
    this.after(downMs, () => {
      node.up = true;
      node.lastTroubleAt = this.now;
      node.disk.raise();
      this.note(
        `${node.id} boots (boot ${node.disk.current}); services stay down until the agent starts them`,
      );
      this.bootAgent(node);
    });
  }

  private cut(node: SimNode, ms: number, direction: 'up' | 'down' | 'both'): void {
    this.note(`${node.id} network cut ${direction} for ${ms} ms`);
    if (direction !== 'down') node.upCutUntil = Math.max(node.upCutUntil, this.now + ms);
    if (direction !== 'up') node.downCutUntil = Math.max(node.downCutUntil, this.now + ms);
    node.lastTroubleAt = Math.max(node.lastTroubleAt, this.now + ms);
  }

  private serviceFault(node: SimNode, ms: number): void {
    if (!node.up || !node.running) return;
    this.note(`${node.id} a critical service crashes; repaired by hand in ${ms} ms`);
    node.fault = true;
    node.running = false;
    node.lastTroubleAt = Math.max(node.lastTroubleAt, this.now + ms);
    this.changed();
    this.after(
      ms,
      () => {
        if (!node.up || !node.fault) return;
        node.fault = false;
        node.running = true;
        this.note(`${node.id} services started by hand`);
        this.changed();
      },
      false,
    );
  }

  private changeTimers(): void {
    const interval = this.pick([1, 2, 3, 5]);
    const stop = this.stopSeconds;
    const timeout = Math.max(interval * 3, Math.ceil(stop + 2 * interval + 1 + this.rand() * 10));
    const old = this.params;
    const next: ClusterParameters = {
      ...old,
      keepAliveInterval: interval,
      keepAliveTimeout: timeout,
      initializationKeepAliveTimeout: Math.max(old.initializationKeepAliveTimeout, timeout),
    };
    // What the parameters use case stores with a change of the timers (defect 2): the old
    // ones, judged with until every agent has heard the new ones or fenced on the old.
    const prior = old.timerChange && this.now < old.timerChange.until ? old.timerChange : null;
    const oldTimeout = Math.max(prior?.keepAliveTimeout ?? 0, old.keepAliveTimeout);
    const until = Math.max(prior?.until ?? 0, this.now + (old.keepAliveInterval + oldTimeout) * 1000);
    next.timerChange = { keepAliveTimeout: oldTimeout, keepAliveInterval: old.keepAliveInterval, until };
    this.params = next;
    this.note(
      `PATCH timers: interval ${old.keepAliveInterval} → ${interval} s, timeout ${old.keepAliveTimeout} → ${timeout} s`,
    );
    this.whenUp(() => this.apply({ type: 'SweepTick' }));
  }

  private admin(): void {
    const node = this.pick(NODES);
    const event: GroupEvent = this.pick<GroupEvent>([
      { type: 'AdminFailover', nodeId: node },
      { type: 'AdminFallback', nodeId: node },
      { type: 'AdminRecover' },
    ]);
    this.whenUp(() => {
      // Failing over by hand a silent node that never acknowledged the group moves its
      // users even though it may serve them (docs/safety.md): the operator does it only
      // knowing the node is off, as Table 2's "Down / Normal" row tells them.
      const member = this.group.members.find((m) => m.nodeId === node);
      const untold =
        member?.state === 'DOWN' && typeof member.heard !== 'number' && member.lastHeartbeatAt !== null;
      if (event.type === 'AdminFailover' && untold && this.nodes[node].up) {
        this.note(`operator: leaves ${node} alone (silent, never told of the group, maybe still serving)`);
        return;
      }
      this.apply(event);
    });
  }

  /** Draws the seed's faults over the fault period. */
  private scheduleFaults(): void {
    const at = () => 10_000 + Math.floor(this.rand() * (this.faultsUntil - 10_000));
    const timeoutMs = this.params.keepAliveTimeout * 1000;
    const span = () => Math.floor(this.rand() * 3 * timeoutMs) + 500;
    const count = (mean: number) => Math.floor(this.rand() * 2 * mean + 0.5);
    for (let i = count(1.5); i > 0; i--) {
      const node = this.nodes[this.pick(NODES)];
      const direction = this.pick(['up', 'down', 'both'] as const);
      const ms = span();
      this.after(at(), () => this.cut(node, ms, direction), false);
    }
    for (let i = count(0.5); i > 0; i--) {
      const ms = span();
      this.after(
        at(),
        () => {
          this.note(`CONTROL PLANE OUTAGE for ${ms} ms`);
          this.cpDownUntil = Math.max(this.cpDownUntil, this.now + ms);
          for (const node of Object.values(this.nodes))
            node.lastTroubleAt = Math.max(node.lastTroubleAt, this.now + ms);
        },
        false,
      );
    }
    for (let i = count(0.7); i > 0; i--) {
      const node = this.nodes[this.pick(NODES)];
      const ms = 2_000 + Math.floor(this.rand() * 3 * timeoutMs);
      this.after(at(), () => this.crash(node, ms));
    }
    for (let i = count(0.7); i > 0; i--) {
      const node = this.nodes[this.pick(NODES)];
      const ms = 1_000 + Math.floor(this.rand() * 4 * timeoutMs);
      this.after(at(), () => this.serviceFault(node, ms), false);
    }
    for (let i = count(0.5); i > 0; i--) this.after(at(), () => this.changeTimers(), false);
    for (let i = count(3); i > 0; i--) {
      const when = at();
      this.after(when, () => this.admin(), false);
      // Sometimes a second operator acts at the same moment.
      if (this.rand() < 0.3) this.after(when + Math.floor(this.rand() * 50), () => this.admin(), false);
    }
    // After the fault period an operator repairs what is left: recovery if both failed, fallback.
    this.after(
      this.faultsUntil + 2 * this.params.initializationKeepAliveTimeout * 1000,
      () => this.repair(),
      false,
    );
  }

  private repair(): void {
    for (const node of Object.values(this.nodes))
      if (node.up && node.fault) {
        node.fault = false;
        node.running = true;
      }
    this.note('operator: repairs the pair');
    this.apply({ type: 'AdminRecover' });
    for (const node of NODES) this.apply({ type: 'AdminFallback', nodeId: node });
  }

  /** Recomputes who serves whom after anything changed; accounts the time since the last change. */
  changed(): void {
    this.account();
    const failedOver = this.group.failedOver;
    for (const node of Object.values(this.nodes)) {
      if (!node.up || !node.running || node.fault) {
        node.holds.clear();
        continue;
      }
      for (const home of NODES)
        if (this.mapsTo(home, node.id, failedOver) && !(node.handingBack && home !== node.id))
          node.holds.add(home);
    }
    let double = false;
    let unserved = false;
    for (const home of NODES) {
      const servers = Object.values(this.nodes).filter((n) => n.holds.has(home));
      if (servers.length > 1) double = true;
      if (servers.length === 0) unserved = true;
    }
    if (double && !this.doubleNow) {
      const detail = `the users of ${NODES.filter((h) => Object.values(this.nodes).filter((n) => n.holds.has(h)).length > 1).join(', ')} are served by both nodes`;
      this.violations.push({ at: this.now, kind: 'double-serving', detail });
      this.note(`VIOLATION: ${detail}`);
    }
    this.doubleNow = double;
    this.unservedNow = unserved;
  }

  private account(): void {
    const dt = this.now - this.lastAccounted;
    if (dt > 0) {
      if (this.doubleNow) this.doubleServingMs += dt;
      if (this.unservedNow) this.unservedMs += dt;
    }
    this.lastAccounted = this.now;
  }

  /** A transition past its deadline: an operation past expiry, initialization past its window. */
  private checkStuck(final: boolean): void {
    const g = this.group;
    const flag = (key: string, detail: string) => {
      if (this.stuckSeen.has(key)) return;
      this.stuckSeen.add(key);
      this.stuck += 1;
      this.violations.push({ at: this.now, kind: 'stuck', detail });
      this.note(`STUCK: ${detail}`);
    };
    const op = g.operation;
    if (op && this.now > op.expiresAt + SWEEP_SLACK_MS)
      flag(`op-${op.id}`, `operation ${op.id} (${op.kind}) past its deadline`);
    for (const m of g.members)
      if (m.state === 'INITIALIZING' && m.initDeadline !== null && this.now > m.initDeadline + SWEEP_SLACK_MS)
        flag(`init-${m.nodeId}-${m.initDeadline}`, `${m.nodeId} Initializing past its window`);
    if (final) {
      // Everything has been healthy and reachable for a while: an operation that began
      // longer ago than it can legitimately take, or a node in a transition with none, is stuck.
      const allowed = this.params.initializationKeepAliveTimeout * 1000 + SWEEP_SLACK_MS;
      if (op && this.now - op.startedAt > allowed)
        flag(`final-op-${op.id}`, `operation ${op.id} (${op.kind}) still running after the quiet tail`);
      const transitional = ['FAILING_OVER', 'TAKING_OVER', 'TAKING_BACK', 'FALLING_BACK'];
      for (const m of g.members)
        if (!op && m.state && transitional.includes(m.state))
          flag(`final-${m.nodeId}`, `${m.nodeId} still ${m.state} with no operation running`);
    }
  }

  /** Runs the seed to its end. */
  async run(): Promise<SeedResult> {
    for (const node of Object.values(this.nodes)) this.bootAgent(node);
    this.after(1_500, () => this.apply({ type: 'EnableHa' }), false);
    const sweepPhase = Math.floor(this.rand() * SWEEP_MS);
    const sweep = () => {
      if (this.now >= this.cpDownUntil) this.apply({ type: 'SweepTick' }, false);
      this.checkStuck(false);
      this.after(SWEEP_MS, sweep, false);
    };
    this.after(sweepPhase, sweep, false);
    this.scheduleFaults();
    this.changed();
    let events = 0;
    for (let timer = this.queue.pop(); timer && timer.at <= this.endAt; timer = this.queue.pop()) {
      if (timer.cancelled) continue;
      if (++events > 2_000_000)
        throw new Error(`seed ${this.seed}: more than 2,000,000 events (a runaway loop)`);
      this.account();
      this.now = timer.at;
      this.account();
      timer.fn();
      if (timer.settle) await settle();
      this.events = events;
    }
    this.now = this.endAt;
    this.account();
    this.checkStuck(true);
    for (const node of Object.values(this.nodes)) {
      node.agent?.halt();
      if (node.services) node.services.detached = true;
    }
    return {
      seed: this.seed,
      violations: this.violations,
      doubleServingMs: this.doubleServingMs,
      falseFailovers: this.falseFailovers,
      stuck: this.stuck,
      unservedMs: this.unservedMs,
      durationMs: this.endAt,
      trace: this.trace,
      durationOption: this.options.durationMs ?? null,
    };
  }
}

/** Runs one seed. */
export function simulate(seed: number, options: SimOptions = {}): Promise<SeedResult> {
  return new Simulation(seed, options).run();
}

/** What many seeds did, for the test and the soak. */
export interface Summary {
  seeds: number;
  violations: number;
  failingSeeds: number[];
  worstDoubleServingMs: number;
  falseFailovers: number;
  stuckGroups: number;
  worstUnservedMs: number;
  medianUnservedMs: number;
}

/** Runs seeds `from` … `from + count − 1`; `onFail` sees each failing seed's result. */
export async function runSeeds(
  from: number,
  count: number,
  onFail: (result: SeedResult) => void = () => undefined,
  options: SimOptions = {},
  /** Called after each seed with the figures so far (the soak prints progress). */
  onProgress?: (summary: Summary) => void,
): Promise<Summary> {
  const unserved: number[] = [];
  const summary: Summary = {
    seeds: 0,
    violations: 0,
    failingSeeds: [],
    worstDoubleServingMs: 0,
    falseFailovers: 0,
    stuckGroups: 0,
    worstUnservedMs: 0,
    medianUnservedMs: 0,
  };
  for (let seed = from; seed < from + count; seed++) {
    let result = await simulate(seed, { ...options, trace: false });
    // Deterministic: the same seed again, with its trace, for the report.
    if (result.violations.length > 0) result = await simulate(seed, { ...options, trace: true });
    summary.seeds += 1;
    summary.violations += result.violations.length;
    summary.worstDoubleServingMs = Math.max(summary.worstDoubleServingMs, result.doubleServingMs);
    summary.falseFailovers += result.falseFailovers;
    if (result.stuck > 0) summary.stuckGroups += 1;
    unserved.push(result.unservedMs);
    if (result.violations.length > 0) {
      summary.failingSeeds.push(seed);
      onFail(result);
    }
    onProgress?.(summary);
  }
  unserved.sort((a, b) => a - b);
  summary.worstUnservedMs = unserved.at(-1) ?? 0;
  summary.medianUnservedMs = unserved[Math.floor(unserved.length / 2)] ?? 0;
  return summary;
}
