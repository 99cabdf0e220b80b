import { describe, expect, it } from 'vitest';
import { inFailoverState } from '../../../../lambdas/core';
import { FAST_PARAMETERS as p, PairSimulator } from '../../../support/pairSimulator';

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
    sim.run(p.criticalServiceDelay + 2);
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
