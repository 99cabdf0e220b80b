import { describe, expect, it } from 'vitest';
import { GroupInvariantError, currentNode } from '../../../../lambdas/core';
import { FAST_PARAMETERS as p, PairSimulator } from '../../../support/pairSimulator';

// A take-over of a node still heard keeps its users on it until its agent has surely
// fenced or obeyed its stop order: keepAliveTimeout + serviceStopSeconds (0 here), and a tick.
const STOP_WAIT = p.keepAliveTimeout + 1;

const A = 'imp-a';
const B = 'imp-b';
const group = { nodes: [A, B], highAvailability: true };

describe('the node currently serving a user (currentNode)', () => {
  it('is the home node while no node is failed over', () => {
    expect(currentNode(A, { ...group, failedOver: null })).toBe(A);
    expect(currentNode(B, { ...group, failedOver: null })).toBe(B);
  });

  it('is the peer while the home node is failed over, and the peer’s own users stay', () => {
    expect(currentNode(A, { ...group, failedOver: A })).toBe(B);
    expect(currentNode(B, { ...group, failedOver: A })).toBe(B);
  });

  it('is the home node in a group without high availability', () => {
    expect(currentNode(A, { ...group, highAvailability: false, failedOver: A })).toBe(A);
  });

  it('is the home node for a node of another group', () => {
    expect(currentNode('imp-z', { ...group, failedOver: A })).toBe('imp-z');
  });

  it('refuses a failed-over node without a peer, naming the group', () => {
    const broken = { name: 'prg-1', nodes: [A], highAvailability: true, failedOver: A };
    expect(() => currentNode(A, broken)).toThrow(GroupInvariantError);
    expect(() => currentNode(A, broken)).toThrow(/Group prg-1 is inconsistent/);
  });

  it('says so even for a group given without its name', () => {
    expect(() => currentNode(A, { nodes: [A], highAvailability: true, failedOver: A })).toThrow(
      'Group (unnamed) is inconsistent: node imp-a is failed over but has no peer.',
    );
  });

  it('follows a critical-service failover and the fallback that ends it', () => {
    const sim = new PairSimulator().startNormal();
    sim.autoWorkflows = false;
    sim.crash(A);
    sim.run(p.criticalServiceDelay + 1 + STOP_WAIT);
    expect(sim.stateOf(B)[0]).toBe('TAKING_OVER');
    // Users move only when the workflow has moved them.
    expect(currentNode(A, sim.group)).toBe(A);
    sim.completeWorkflow();
    expect(currentNode(A, sim.group)).toBe(B);
    sim.repair(A);
    sim.autoWorkflows = true;
    // One answer orders its services started again (it was told to stop), the next heartbeat shows them.
    sim.run(2);
    sim.apply({ type: 'AdminFallback', nodeId: A });
    sim.run(2);
    expect(sim.pair()).toEqual([
      ['NORMAL', 'NORMAL'],
      ['NORMAL', 'NORMAL'],
    ]);
    expect(currentNode(A, sim.group)).toBe(A);
  });
});
