import { describe, expect, it } from 'vitest';
import { GroupInvariantError, chooseHomeNode } from '../../../../lambdas/core';

const groups = [
  { name: 'prg-1', nodes: ['a1', 'a2'] },
  { name: 'prg-2', nodes: ['b1', 'b2'] },
];

describe('the home node of a new user: Balanced', () => {
  it('is the node with the fewest users over every node of every group', () => {
    expect(chooseHomeNode('BALANCED', groups, { a1: 5, a2: 4, b1: 3, b2: 6 })).toBe('b1');
  });

  it('can be a group’s second node: Balanced uses both nodes of each subcluster', () => {
    expect(chooseHomeNode('BALANCED', groups, { a1: 5, a2: 4, b1: 5, b2: 5 })).toBe('a2');
  });

  it('goes to the earlier group, then the earlier node, on a tie', () => {
    expect(chooseHomeNode('BALANCED', groups, { a1: 2, a2: 1, b1: 1, b2: 1 })).toBe('a2');
    expect(chooseHomeNode('BALANCED', groups, { a1: 1, a2: 1, b1: 1, b2: 1 })).toBe('a1');
  });

  it('counts a node missing from the counts as having no user', () => {
    expect(chooseHomeNode('BALANCED', groups, { a1: 1, a2: 1, b1: 1 })).toBe('b2');
  });

  it('includes the node of a single-node group', () => {
    const withSingle = [...groups, { name: 'prg-3', nodes: ['c1'] }];
    expect(chooseHomeNode('BALANCED', withSingle, { a1: 1, a2: 1, b1: 1, b2: 1 })).toBe('c1');
  });

  it('ignores users on nodes that are in no group', () => {
    expect(chooseHomeNode('BALANCED', groups, { a1: 1, a2: 1, b1: 1, b2: 1, lonely: 0 })).toBe('a1');
  });
});

describe('the home node of a new user: Active-Standby', () => {
  it('is the first node of the group whose first node has the fewest users', () => {
    expect(chooseHomeNode('ACTIVE_STANDBY', groups, { a1: 9, a2: 0, b1: 4, b2: 0 })).toBe('b1');
  });

  it('is never a second node, which stays the backup, even when it has no user', () => {
    expect(chooseHomeNode('ACTIVE_STANDBY', [groups[0]!], { a1: 100, a2: 0 })).toBe('a1');
  });

  it('goes to the earlier group on a tie', () => {
    expect(chooseHomeNode('ACTIVE_STANDBY', groups, { a1: 3, b1: 3 })).toBe('a1');
  });
});

describe('the home node of a new user: None', () => {
  it('is chosen by nobody: the administrator assigns it by hand', () => {
    expect(chooseHomeNode('NONE', groups, {})).toBeNull();
  });
});

describe('the home node of a new user in a cluster without a group', () => {
  it.each(['BALANCED', 'ACTIVE_STANDBY'] as const)('is none in %s', (mode) => {
    expect(chooseHomeNode(mode, [], {})).toBeNull();
  });
});

describe('inconsistent inputs', () => {
  it('refuses a node listed in two groups, naming both', () => {
    const bad = [...groups, { name: 'prg-3', nodes: ['a2'] }];
    expect(() => chooseHomeNode('BALANCED', bad, {})).toThrow(GroupInvariantError);
    expect(() => chooseHomeNode('BALANCED', bad, {})).toThrow(/a2 is also listed in group prg-1/);
  });

  it.each([-1, 1.5, Number.NaN])('refuses a user count of %d, naming the node', (count) => {
    expect(() => chooseHomeNode('BALANCED', groups, { b1: count })).toThrow(/user count of node b1/);
  });
});
