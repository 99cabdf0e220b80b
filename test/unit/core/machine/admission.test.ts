import { describe, expect, it } from 'vitest';
import { inFailoverState } from '../../../../lambdas/core';
import { FAST_PARAMETERS as p, PairSimulator } from '../../../support/pairSimulator';

// A take-over of a node still heard keeps its users on it until its agent has surely
// fenced or obeyed its stop order: keepAliveTimeout + serviceStopSeconds (0 here), and a tick.
const STOP_WAIT = p.keepAliveTimeout + 1;

describe('adding users while a node is failed over (manual: Redundancy Interactions)', () => {
  it('is allowed while both nodes are Normal', () => {
    expect(inFailoverState(new PairSimulator().startNormal().group)).toBe(false);
  });

  it('is refused while a failover moves users, and while a node stays failed over', () => {
    const sim = new PairSimulator().startNormal();
    sim.autoWorkflows = false;
    sim.apply({ type: 'AdminFailover', nodeId: 'imp-a' });
    expect(inFailoverState(sim.group)).toBe(true);
    sim.completeWorkflow();
    expect(inFailoverState(sim.group)).toBe(true);
  });

  it('is allowed again after fallback', () => {
    const sim = new PairSimulator().startNormal();
    sim.crash('imp-a');
    sim.run(p.criticalServiceDelay + 2 + STOP_WAIT);
    sim.repair('imp-a');
    sim.run(1);
    sim.apply({ type: 'AdminFallback', nodeId: 'imp-a' });
    sim.run(2);
    expect(inFailoverState(sim.group)).toBe(false);
  });

  it('is allowed in a group without high availability', () => {
    expect(inFailoverState(new PairSimulator().group)).toBe(false);
  });
});
