import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { findRow, heartbeatResponse, type Effect } from '../../../../lambdas/core';
import { FAST_PARAMETERS, PairSimulator } from '../../../support/pairSimulator';

const IDS = ['imp-a', 'imp-b'] as const;
const node = fc.constantFrom(...IDS);

/** One thing that can happen to a pair: the alphabet of the random sequences. */
type Command =
  | { kind: 'run'; seconds: number }
  | { kind: 'silence'; seconds: number }
  | { kind: 'heartbeat'; node: string }
  | { kind: 'alive'; node: string; alive: boolean }
  | { kind: 'crash'; node: string; service: number }
  | { kind: 'database'; node: string; up: boolean }
  | { kind: 'repair'; node: string }
  | { kind: 'notice'; node: string }
  | { kind: 'restart'; node: string }
  | { kind: 'cannotStart'; node: string; value: boolean }
  | { kind: 'failover'; node: string }
  | { kind: 'fallback'; node: string }
  | { kind: 'recover' }
  | { kind: 'enableHa' }
  | { kind: 'disableHa' }
  | { kind: 'failNextMove' }
  | { kind: 'workflows'; auto: boolean }
  | { kind: 'completeWorkflow' }
  | { kind: 'autoFallbackDue' }
  | { kind: 'staleHeartbeat'; node: string };

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant('run' as const), seconds: fc.integer({ min: 1, max: 8 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('silence' as const), seconds: fc.integer({ min: 1, max: 12 }) }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('heartbeat' as const), node }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('alive' as const), node, alive: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('crash' as const),
      node,
      service: fc.integer({ min: 0, max: 4 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('database' as const), node, up: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('repair' as const), node }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('notice' as const), node }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('restart' as const), node }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('cannotStart' as const), node, value: fc.boolean() }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('failover' as const), node }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('fallback' as const), node }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'recover' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'enableHa' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'disableHa' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'failNextMove' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('workflows' as const), auto: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'completeWorkflow' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'autoFallbackDue' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('staleHeartbeat' as const), node }) },
);

const scenario = fc.record({
  haFromStart: fc.boolean(),
  autoFallback: fc.boolean(),
  commands: fc.array(command, { minLength: 1, maxLength: 30 }),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function play(sim: PairSimulator, c: Command): void {
  switch (c.kind) {
    case 'run':
      return sim.run(c.seconds);
    case 'silence':
      return sim.wait(c.seconds);
    case 'heartbeat':
      sim.heartbeat(c.node);
      return;
    case 'alive':
      sim.node(c.node).alive = c.alive;
      return;
    case 'crash':
      return sim.crash(c.node, sim.params.criticalServices[c.service]);
    case 'database':
      sim.node(c.node).database = c.up ? 'up' : 'down';
      return;
    case 'repair':
      return sim.repair(c.node);
    case 'notice':
      sim.node(c.node).notice = 'shutdown';
      return;
    case 'restart':
      return sim.restartSrm(c.node);
    case 'cannotStart':
      sim.node(c.node).canStartServices = !c.value;
      return;
    case 'failover':
      sim.apply({ type: 'AdminFailover', nodeId: c.node });
      return;
    case 'fallback':
      sim.apply({ type: 'AdminFallback', nodeId: c.node });
      return;
    case 'recover':
      sim.apply({ type: 'AdminRecover' });
      return;
    case 'enableHa':
      sim.apply({ type: 'EnableHa' });
      return;
    case 'disableHa':
      sim.apply({ type: 'DisableHa' });
      return;
    case 'failNextMove':
      sim.failNextMove = 'injected';
      return;
    case 'workflows':
      sim.autoWorkflows = c.auto;
      return;
    case 'completeWorkflow':
      sim.completeWorkflow();
      return;
    case 'autoFallbackDue':
      sim.apply({ type: 'AutomaticFallbackDue', timerId: sim.group.autoFallback?.id ?? 'none' });
      return;
    case 'staleHeartbeat': {
      const n = sim.node(c.node);
      if (n.sequence === 0) return;
      const before = sim.group;
      const r = sim.apply({
        type: 'Heartbeat',
        nodeId: c.node,
        heartbeat: { bootId: n.bootId, sequence: n.sequence - 1, services: {}, database: 'down' },
      });
      expect(r.outcome).toBe('ignored');
      expect(sim.group).toBe(before);
      return;
    }
    default: {
      const never: never = c;
      throw new Error(String(never));
    }
  }
}

function simulate(s: Scenario, check?: (sim: PairSimulator) => void): PairSimulator {
  const sim = new PairSimulator({ ...FAST_PARAMETERS, enableAutomaticFallback: s.autoFallback });
  if (s.haFromStart) sim.startNormal();
  check?.(sim);
  for (const c of s.commands) {
    play(sim, c);
    check?.(sim);
  }
  return sim;
}

/** The invariants of SPEC §3 and §5 that must hold after every event. */
function checkInvariants(
  sim: PairSimulator,
  lastEpoch: { value: number },
  lastOrders: Map<string, string>,
): void {
  const g = sim.group;
  // Epochs never decrease.
  expect(g.epoch).toBeGreaterThanOrEqual(lastEpoch.value);
  lastEpoch.value = g.epoch;
  for (const e of sim.effects) if (e.type === 'OrderServices') lastOrders.set(e.nodeId, e.order);
  sim.effects.length = 0;

  const [a, b] = g.members;
  if (!g.highAvailability) {
    expect([a!.state, b!.state]).toEqual([null, null]);
    expect(g.failedOver).toBeNull();
    return;
  }
  // Every pair reached is one Table 2 (or SPEC §3, as rows of ours) describes.
  const row = findRow(
    { nodeId: a!.nodeId, state: a!.state!, reason: a!.reason! },
    { nodeId: b!.nodeId, state: b!.state!, reason: b!.reason! },
  );
  expect(row, `unlisted pair ${a!.state}/${a!.reason} + ${b!.state}/${b!.reason}`).not.toBeNull();

  for (const m of g.members) {
    const peer = g.members.find((x) => x.nodeId !== m.nodeId)!;
    // Every user is served by exactly one node, and never by a node that is failed over.
    const served = IDS.map((home) => sim.servingNodeOf(home));
    for (const s of served) expect(IDS).toContain(s);
    // While no workflow moves users, the states say exactly where users are.
    if (g.operation === null) {
      if (
        m.state === 'IDLE' ||
        m.state === 'FAILED_OVER' ||
        m.state === 'FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING'
      ) {
        expect(served).not.toContain(m.nodeId);
      }
      if (m.state === 'RUNNING_IN_BACKUP_MODE') expect(g.failedOver).toBe(peer.nodeId);
      if (m.state === 'NORMAL') expect(g.failedOver).toBeNull();
    }
    // A node failed over by hand is always ordered to stop its services, in the
    // heartbeat answer and in the last order published for it.
    if (m.state === 'IDLE' || m.state === 'FAILING_OVER') {
      expect(heartbeatResponse(g, m.nodeId, sim.params).serviceOrder).toBe('stop');
      expect(lastOrders.get(m.nodeId)).toBe('stop');
    }
  }
}

describe('state machine properties (random event sequences)', () => {
  it('keeps every invariant after every event of 1,000 random sequences', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const lastEpoch = { value: 0 };
        const lastOrders = new Map<string, string>();
        simulate(s, (sim) => checkInvariants(sim, lastEpoch, lastOrders));
      }),
      { numRuns: 1000 },
    );
  });

  it('gives the same result for the same sequence (determinism), 1,000 sequences', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const first = simulate(s);
        const second = simulate(s);
        expect(second.group).toEqual(first.group);
        expect(second.results.map((r) => r.effects)).toEqual(first.results.map((r) => r.effects));
      }),
      { numRuns: 1000 },
    );
  });

  it('never mutates the group it is given', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const snapshots: string[] = [];
        const sim = simulate(s, (x) => snapshots.push(JSON.stringify(x.group)));
        // Each stored snapshot still equals what was stored: a mutation would show here.
        expect(JSON.stringify(sim.group)).toBe(snapshots.at(-1));
      }),
      { numRuns: 200 },
    );
  });
});

export type { Effect };
