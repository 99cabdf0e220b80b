import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  OPERATION_TIMEOUT_SECONDS,
  nextDueAt,
  pairSilentAt,
  transition,
  type ClusterParameters,
  type GroupState,
} from '../../../../lambdas/core';
import { FAST_PARAMETERS as p, PairSimulator, T0 } from '../../../support/pairSimulator';
import { play, scenario } from '../../../support/pairCommands';

// A take-over of a node still heard keeps its users on it until its agent has surely
// fenced or obeyed its stop order: keepAliveTimeout + serviceStopSeconds (0 here), and a tick.
const STOP_WAIT = p.keepAliveTimeout + 1;

const A = 'imp-a';
const B = 'imp-b';

/** What a sweep at `at` does to the group. */
const sweepAt = (group: GroupState, at: number, params: ClusterParameters) =>
  transition(group, { type: 'SweepTick' }, at, params);

/** Asserts that a sweep just before `due` changes nothing and one at `due` changes something. */
function expectDueExactly(sim: PairSimulator, due: number) {
  expect(nextDueAt(sim.group, sim.params)).toBe(due);
  const before = sweepAt(sim.group, due - 1, sim.params);
  expect(before.group).toEqual(sim.group);
  expect(before.effects).toEqual([]);
  expect(sweepAt(sim.group, due, sim.params).group).not.toEqual(sim.group);
}

describe('nextDueAt: when the sweep must next look at a group', () => {
  it('is when the oldest heartbeat goes stale, and the silent node then fails over', () => {
    const sim = new PairSimulator().startNormal();
    sim.node(A).alive = false;
    sim.run(1); // node 2 heartbeats once more; node 1 is silent
    const lastA = sim.group.members[0]!.lastHeartbeatAt!;
    expectDueExactly(sim, lastA + p.keepAliveTimeout * 1000 + 1);
    const after = sweepAt(sim.group, lastA + p.keepAliveTimeout * 1000 + 1, p).group;
    expect(after.members.map((m) => [m.state, m.reason])).toEqual([
      ['DOWN', 'PEER_DOWN'],
      ['TAKING_OVER', 'PEER_DOWN'],
    ]);
  });

  it('is the end of the initialization window of nodes not yet heard from', () => {
    const sim = new PairSimulator();
    sim.apply({ type: 'EnableHa' });
    expectDueExactly(sim, T0 + p.initializationKeepAliveTimeout * 1000);
    const after = sweepAt(sim.group, T0 + p.initializationKeepAliveTimeout * 1000, p).group;
    expect(after.members.map((m) => m.state)).toEqual(['UNKNOWN', 'UNKNOWN']);
  });

  it('is criticalServiceDelay after the first heartbeat that reported a critical service down', () => {
    const sim = new PairSimulator().startNormal();
    sim.crash(A);
    sim.heartbeat(A);
    const reportedAt = sim.now;
    expectDueExactly(sim, reportedAt + p.criticalServiceDelay * 1000);
  });

  it('is criticalServiceDelay after the first heartbeat that reported the database down', () => {
    const sim = new PairSimulator().startNormal();
    sim.node(A).database = 'down';
    sim.heartbeat(A);
    expectDueExactly(sim, sim.now + p.criticalServiceDelay * 1000);
  });

  it('is just past the time a node taking back has to start its critical services', () => {
    // A long criticalServiceDelay, so that the idle node's stopped services are not due first.
    const sim = new PairSimulator({ ...p, criticalServiceDelay: 3600 }).startNormal();
    sim.apply({ type: 'AdminFailover', nodeId: A });
    sim.run(2);
    expect(sim.pair()[0]).toEqual(['IDLE', 'ON_ADMIN_REQUEST']);
    sim.node(A).canStartServices = false;
    sim.apply({ type: 'AdminFallback', nodeId: A });
    const deadline = sim.group.operation!.servicesDeadline!;
    expect(deadline).toBe(sim.now + p.initializationKeepAliveTimeout * 1000);
    sim.run(p.initializationKeepAliveTimeout - 2); // heartbeats keep both nodes fresh
    expectDueExactly(sim, deadline + 1);
    expect(sweepAt(sim.group, deadline + 1, sim.params).group.members.map((m) => m.reason)).toEqual([
      'START_OF_CRITICAL_SERVICES_FAILED',
      'START_OF_CRITICAL_SERVICES_FAILED',
    ]);
  });

  it('is just past the time a workflow is declared lost', () => {
    // Timers longer than the operation timeout, so that only the workflow can be due.
    const slow = { ...p, keepAliveTimeout: 3600, initializationKeepAliveTimeout: 3600 };
    const sim = new PairSimulator(slow).startNormal();
    sim.autoWorkflows = false;
    // An automatic take-over of a node still heard: its users move once its report of
    // services stopped counts (keepAliveTimeout later); then only its workflow is timed.
    sim.crash(A);
    sim.run(p.criticalServiceDelay + 1);
    const waiting = sim.group.operation!;
    expect(waiting.phase).toBe('AWAIT_STOP');
    sim.wait(slow.keepAliveTimeout - 1);
    sim.run(1);
    const op = sim.group.operation!;
    expect(op.phase).toBe('MOVE_USERS');
    expect(op.expiresAt).toBe(waiting.servicesDeadline! + OPERATION_TIMEOUT_SECONDS * 1000);
    expectDueExactly(sim, op.expiresAt + 1);
    const lost = sweepAt(sim.group, op.expiresAt + 1, slow).group;
    expect(lost.operation).toBeNull();
    expect(lost.members.map((m) => [m.state, m.reason])).toEqual([
      ['RUNNING_IN_FAILED_MODE', 'UNKNOWN'],
      ['RUNNING_IN_FAILED_MODE', 'UNKNOWN'],
    ]);
  });

  it('is when an automatic fallback falls due', () => {
    const sim = new PairSimulator({ ...p, enableAutomaticFallback: true }).startNormal();
    sim.crash(A);
    sim.run(p.criticalServiceDelay + 2 + STOP_WAIT);
    sim.repair(A);
    sim.run(1);
    const timer = sim.group.autoFallback!;
    expect(timer.nodeId).toBe(A);
    sim.run(p.keepAliveTimeout); // the heartbeats' own deadlines move past the timer
    expectDueExactly(sim, timer.dueAt);
    expect(sweepAt(sim.group, timer.dueAt, sim.params).group.members.map((m) => m.state)).toEqual([
      'TAKING_BACK',
      'FALLING_BACK',
    ]);
  });

  it('is the earliest of several deadlines', () => {
    const sim = new PairSimulator().startNormal();
    sim.crash(A);
    sim.heartbeat(A);
    sim.node(B).database = 'down';
    sim.run(1);
    const crashDue =
      sim.group.members[0]!.servicesDownSince[p.criticalServices[0]!]! + p.criticalServiceDelay * 1000;
    expect(nextDueAt(sim.group, p)).toBe(crashDue);
  });

  it('is none while high availability is off: only an event can change the group', () => {
    const sim = new PairSimulator();
    sim.beatAll();
    expect(nextDueAt(sim.group, p)).toBeNull();
    sim.startNormal();
    expect(nextDueAt(sim.group, p)).not.toBeNull();
    sim.apply({ type: 'DisableHa' });
    expect(nextDueAt(sim.group, p)).toBeNull();
  });
});

describe('pairSilentAt: when nobody in the pair has spoken for keepAliveTimeout', () => {
  it('is keepAliveTimeout after the latest heartbeat of either node', () => {
    const sim = new PairSimulator().startNormal();
    sim.node(A).alive = false;
    sim.run(2);
    const lastB = sim.group.members[1]!.lastHeartbeatAt!;
    expect(lastB).toBeGreaterThan(sim.group.members[0]!.lastHeartbeatAt!);
    expect(pairSilentAt(sim.group, p)).toBe(lastB + p.keepAliveTimeout * 1000 + 1);
  });

  it('is none while high availability is off, or before anyone was heard', () => {
    const off = new PairSimulator();
    off.beatAll();
    expect(pairSilentAt(off.group, p)).toBeNull();
    const unheard = new PairSimulator();
    unheard.apply({ type: 'EnableHa' });
    expect(pairSilentAt(unheard.group, p)).toBeNull();
  });

  it('is none once both nodes are already Down or Unknown: their silence changes nothing more', () => {
    const sim = new PairSimulator().startNormal();
    sim.node(A).alive = false;
    sim.node(B).alive = false;
    sim.run(p.keepAliveTimeout + 1);
    expect(sim.pair().map(([state]) => state)).toEqual(['UNKNOWN', 'UNKNOWN']);
    expect(pairSilentAt(sim.group, p)).toBeNull();
  });
});

describe('nextDueAt keeps its promise: nothing changes by the clock alone before it', () => {
  it('a sweep at any time from now until just before nextDueAt changes nothing (200 random sequences)', () => {
    const fraction = fc.double({ min: 0, max: 1, noNaN: true });
    fc.assert(
      fc.property(scenario, fc.array(fraction, { minLength: 31, maxLength: 31 }), (s, fractions) => {
        const sim = new PairSimulator({ ...p, enableAutomaticFallback: s.autoFallback });
        if (s.haFromStart) sim.startNormal();
        const check = (f: number) => {
          const due = nextDueAt(sim.group, sim.params);
          // Without a deadline, a day of sweeps must change nothing either.
          const end = due ?? sim.now + 86_400_000;
          if (end <= sim.now) return;
          for (const at of [sim.now, end - 1, sim.now + Math.floor(f * (end - 1 - sim.now))]) {
            const r = sweepAt(sim.group, at, sim.params);
            expect(r.effects, `sweep at now+${at - sim.now} ms, due at now+${end - sim.now} ms`).toEqual([]);
            expect(r.group).toEqual(sim.group);
          }
        };
        check(fractions[0]!);
        s.commands.forEach((c, i) => {
          play(sim, c);
          check(fractions[i + 1]!);
        });
      }),
      { numRuns: 200 },
    );
  });
});
