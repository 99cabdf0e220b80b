import { describe, expect, it } from 'vitest';
import { planRebalance } from '../../../../lambdas/core';

const one = [{ name: 'prg-1', nodes: ['a1', 'a2'] }];
const two = [...one, { name: 'prg-2', nodes: ['b1', 'b2'] }];

describe('rebalancing a cluster: Balanced', () => {
  it('splits a pair’s users equally', () => {
    expect(planRebalance('BALANCED', one, { a1: 10, a2: 0 })).toEqual([{ from: 'a1', to: 'a2', count: 5 }]);
  });

  it('moves nobody when the nodes already differ by at most one user', () => {
    expect(planRebalance('BALANCED', two, { a1: 3, a2: 4, b1: 4, b2: 3 })).toEqual([]);
  });

  it('evens out the whole cluster, moving within a group first', () => {
    expect(planRebalance('BALANCED', two, { a1: 10, a2: 0, b1: 0, b2: 2 })).toEqual([
      { from: 'a1', to: 'a2', count: 3 },
      { from: 'a1', to: 'b1', count: 3 },
      { from: 'a1', to: 'b2', count: 1 },
    ]);
  });

  it('lets the nodes with the most users keep the odd users, so that fewer users move', () => {
    // 11 users on 3 nodes: two nodes keep 4. a1 and one of the 3s keep them; a2 (earlier) wins the tie.
    const groups = [
      { name: 'prg-1', nodes: ['a1', 'a2'] },
      { name: 'prg-2', nodes: ['b1'] },
    ];
    expect(planRebalance('BALANCED', groups, { a1: 5, a2: 3, b1: 3 })).toEqual([
      { from: 'a1', to: 'a2', count: 1 },
    ]);
  });

  it('fills a node added to the cluster, the first node keeping the odd user', () => {
    const groups = [...two, { name: 'prg-3', nodes: ['c1'] }];
    // 16 users on 5 nodes: one node keeps 4, the others 3.
    expect(planRebalance('BALANCED', groups, { a1: 4, a2: 4, b1: 4, b2: 4 })).toEqual([
      { from: 'a2', to: 'c1', count: 1 },
      { from: 'b1', to: 'c1', count: 1 },
      { from: 'b2', to: 'c1', count: 1 },
    ]);
  });

  it('works in counts, whatever the number of users', () => {
    expect(planRebalance('BALANCED', one, { a1: 150_000, a2: 0 })).toEqual([
      { from: 'a1', to: 'a2', count: 75_000 },
    ]);
  });

  it('leaves users homed on a node in no group where they are', () => {
    expect(planRebalance('BALANCED', one, { a1: 2, a2: 2, retired: 40 })).toEqual([]);
  });
});

describe('rebalancing a cluster: Active-Standby', () => {
  it('moves every user of a group to its first node', () => {
    expect(planRebalance('ACTIVE_STANDBY', two, { a1: 3, a2: 5, b1: 0, b2: 2 })).toEqual([
      { from: 'a2', to: 'a1', count: 5 },
      { from: 'b2', to: 'b1', count: 2 },
    ]);
  });

  it('keeps users within their group, even when the groups are uneven', () => {
    expect(planRebalance('ACTIVE_STANDBY', two, { a1: 100, a2: 0, b1: 1, b2: 0 })).toEqual([]);
  });

  it('has nothing to move in a single-node group', () => {
    expect(planRebalance('ACTIVE_STANDBY', [{ name: 'solo', nodes: ['s1'] }], { s1: 7 })).toEqual([]);
  });
});

describe('rebalancing a cluster: None', () => {
  it('moves nobody: the assignment is the administrator’s', () => {
    expect(planRebalance('NONE', two, { a1: 10, a2: 0, b1: 0, b2: 0 })).toEqual([]);
  });
});

describe('rebalancing a cluster without a group', () => {
  it.each(['BALANCED', 'ACTIVE_STANDBY', 'NONE'] as const)('moves nobody in %s', (mode) => {
    expect(planRebalance(mode, [], { x: 5 })).toEqual([]);
  });
});
