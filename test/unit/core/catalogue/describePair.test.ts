import { describe, expect, it } from 'vitest';
import { NODE_STATES, describePair, findRow } from '../../../../lambdas/core';

const describeState = (s: keyof typeof NODE_STATES) => NODE_STATES[s].description;

describe('describing a pair with its Table 2 row', () => {
  it('finds the row whichever node is given first, and names the manual’s node 1 correctly', () => {
    const failing = { nodeId: 'imp-a', state: 'FAILING_OVER', reason: 'ON_ADMIN_REQUEST' } as const;
    const taking = { nodeId: 'imp-b', state: 'TAKING_OVER', reason: 'ON_ADMIN_REQUEST' } as const;
    const forward = findRow(failing, taking);
    const backward = findRow(taking, failing);
    expect(backward?.row.id).toBe('manual-failover-in-progress');
    expect(backward).toEqual(forward);
    expect(describePair(taking, failing, describeState).cause).toBe(
      'An operator asked for node imp-a to be failed over (`prg failover imp-a`); node imp-b is taking its users over right now.',
    );
  });

  it('describes a pair no row covers with each node’s Table 1 description, never an empty cell', () => {
    const a = { nodeId: 'imp-a', state: 'NORMAL', reason: 'NORMAL' } as const;
    const b = { nodeId: 'imp-b', state: 'TAKING_BACK', reason: 'PEER_DOWN' } as const;
    expect(findRow(a, b)).toBeNull();
    expect(describePair(a, b, describeState)).toEqual({
      rowId: null,
      cause: `imp-a: ${NODE_STATES.NORMAL.description} imp-b: ${NODE_STATES.TAKING_BACK.description}`,
      recommendedActions: [],
    });
  });
});
