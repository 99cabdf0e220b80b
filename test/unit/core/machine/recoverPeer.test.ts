import { describe, expect, it } from 'vitest';
import { currentNode, type Effect } from '../../../../lambdas/core';
import { FAST_PARAMETERS as p, PairSimulator } from '../../../support/pairSimulator';

// A take-over of a node still heard keeps its users on it until its agent has surely
// fenced or obeyed its stop order: keepAliveTimeout + serviceStopSeconds (0 here), and a tick.
const STOP_WAIT = p.keepAliveTimeout + 1;

const A = 'imp-a';
const B = 'imp-b';

describe('recovery when node 2 is the one failed over', () => {
  it('brings node 2’s users home from node 1', () => {
    const sim = new PairSimulator().startNormal();
    sim.crash(B);
    sim.run(p.criticalServiceDelay + 2 + STOP_WAIT);
    expect(currentNode(B, sim.group)).toBe(A);
    // The backup fails as well while node 2 is still not healthy: both fail.
    sim.crash(A);
    sim.run(p.criticalServiceDelay + 2 + STOP_WAIT);
    expect(sim.pair().map(([state]) => state)).toEqual(['RUNNING_IN_FAILED_MODE', 'RUNNING_IN_FAILED_MODE']);
    sim.repair(A);
    sim.repair(B);
    sim.autoWorkflows = false;
    const r = sim.apply({ type: 'AdminRecover' });
    expect(r.effects).toContainEqual<Effect>({
      type: 'StartWorkflow',
      workflow: 'RECOVER',
      operationId: sim.group.operation!.id,
      fromNode: A,
      toNode: B,
    });
    // Node 1 holds node 2's users: they move once it has heard the recovery.
    expect(sim.group.operation?.phase).toBe('AWAIT_SERVICES');
    sim.autoWorkflows = true;
    sim.run(3);
    expect(sim.pair()).toEqual([
      ['NORMAL', 'NORMAL'],
      ['NORMAL', 'NORMAL'],
    ]);
    expect(currentNode(B, sim.group)).toBe(B);
  });
});
