import { describe, expect, it } from 'vitest';
import { dryRun, transition } from '../../../../lambdas/core';
import { FAST_PARAMETERS as p, PairSimulator } from '../../../support/pairSimulator';

// A take-over of a node still heard keeps its users on it until its agent has surely
// fenced or obeyed its stop order: keepAliveTimeout + serviceStopSeconds (0 here), and a tick.
const STOP_WAIT = p.keepAliveTimeout + 1;

const A = 'imp-a';
const B = 'imp-b';

const published = (sim: PairSimulator) =>
  sim.effects.flatMap((e) => (e.type === 'Publish' ? [e.event.detailType] : []));

describe('maintenance windows in the state machine', () => {
  it('hold back the take-over of a crashed node, and the window end judges the group at once', () => {
    const sim = new PairSimulator().startNormal();
    sim.apply({ type: 'StartMaintenance', reason: 'patch', until: sim.now + 60_000, by: 'admin token' });
    sim.crash(A);
    sim.run(p.criticalServiceDelay + p.keepAliveTimeout + 5);
    // The fault is recorded but nobody fails over while the window lasts.
    expect(sim.pair()).toEqual([
      ['NORMAL', 'NORMAL'],
      ['NORMAL', 'NORMAL'],
    ]);
    expect(published(sim)).not.toContain('FailoverStarted');
    sim.run(60);
    expect(sim.group.maintenance).toBeNull();
    expect(published(sim)).toEqual(expect.arrayContaining(['MaintenanceEnded', 'FailoverStarted']));
  });

  it('hold back a due automatic fallback until the window ends', () => {
    const sim = new PairSimulator({ ...p, enableAutomaticFallback: true }).startNormal();
    sim.crash(A);
    sim.run(p.criticalServiceDelay + 2 + STOP_WAIT);
    sim.repair(A);
    sim.run(2);
    expect(sim.pair()[0]?.[0]).toBe('FAILED_OVER');
    sim.apply({ type: 'StartMaintenance', reason: 'watching', until: sim.now + 40_000, by: 'admin token' });
    sim.run(p.automaticFallbackDelay + 10);
    expect(sim.pair()[0]?.[0]).toBe('FAILED_OVER');
    sim.run(40);
    expect(published(sim)).toContain('FallbackStarted');
  });
});

describe('dry runs', () => {
  it('decide as the real action would and leave the group untouched', () => {
    const sim = new PairSimulator().startNormal();
    const before = structuredClone(sim.group);
    const dry = dryRun(sim.group, { type: 'AdminFailover', nodeId: A }, sim.now, p);
    expect(sim.group).toEqual(before);
    const real = transition(sim.group, { type: 'AdminFailover', nodeId: A }, sim.now, p);
    expect(dry).toMatchObject({
      outcome: 'accepted',
      kind: 'TAKE_OVER',
      nodes: real.group.members.map((m) => ({ nodeId: m.nodeId, state: m.state, reason: m.reason })),
      homeNodesMoved: [A],
    });
    const refused = dryRun(sim.group, { type: 'AdminFallback', nodeId: B }, sim.now, p);
    const realRefusal = transition(sim.group, { type: 'AdminFallback', nodeId: B }, sim.now, p).effects[0];
    expect(refused).toEqual({ outcome: 'refused', refusal: realRefusal });
  });
});
