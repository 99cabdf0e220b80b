import { expect } from 'vitest';
import fc from 'fast-check';
import { FAST_PARAMETERS, PairSimulator } from './pairSimulator';

/**
 * Random scenarios for a simulated pair: the alphabet of the property tests. Each
 * command is something that can happen to a pair in production.
 */
export const IDS = ['imp-a', 'imp-b'] as const;
const node = fc.constantFrom(...IDS);

/** One thing that can happen to a pair: the alphabet of the random sequences. */
export type Command =
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
  | { kind: 'staleHeartbeat'; node: string }
  /** A heartbeat from an older boot delivered late; `sameBootId` also reuses the current bootId. */
  | { kind: 'staleBoot'; node: string; back: number; sameBootId: boolean };

export const command: fc.Arbitrary<Command> = fc.oneof(
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
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('staleBoot' as const),
      node,
      back: fc.integer({ min: 0, max: 2 }),
      sameBootId: fc.boolean(),
    }),
  },
);

export const scenario = fc.record({
  haFromStart: fc.boolean(),
  autoFallback: fc.boolean(),
  commands: fc.array(command, { minLength: 1, maxLength: 30 }),
});
export type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

export function play(sim: PairSimulator, c: Command): void {
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
        heartbeat: {
          bootId: n.bootId,
          boot: n.boots,
          sequence: n.sequence - 1,
          services: {},
          database: 'down',
        },
      });
      expect(r.outcome).toBe('ignored');
      expect(sim.group).toBe(before);
      return;
    }
    case 'staleBoot': {
      // Boot `back` below the current one (0: the current boot number under another
      // bootId), with a sequence higher than any sent: only the boot shows it is stale.
      const n = sim.node(c.node);
      const boot = n.boots - c.back;
      const heard = sim.group.members.find((m) => m.nodeId === c.node)?.boot ?? null;
      if (boot < 0 || heard === null || boot > heard || (c.back === 0 && c.sameBootId)) return;
      const before = sim.group;
      const r = sim.apply({
        type: 'Heartbeat',
        nodeId: c.node,
        heartbeat: {
          bootId: c.sameBootId ? n.bootId : `${c.node}-old-boot-${boot}`,
          boot,
          sequence: n.sequence + 1000,
          services: {},
          database: 'down',
        },
      });
      expect(r.outcome).toBe('refused');
      expect(sim.group).toBe(before);
      return;
    }
    default: {
      const never: never = c;
      throw new Error(String(never));
    }
  }
}

export function simulate(s: Scenario, check?: (sim: PairSimulator) => void): PairSimulator {
  const sim = new PairSimulator({ ...FAST_PARAMETERS, enableAutomaticFallback: s.autoFallback });
  if (s.haFromStart) sim.startNormal();
  check?.(sim);
  for (const c of s.commands) {
    play(sim, c);
    check?.(sim);
  }
  return sim;
}
