import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  chooseHomeNode,
  planRebalance,
  type AssignmentGroup,
  type UserMove,
  type UserAssignmentMode,
} from '../../../../lambdas/core';

const RUNS = { numRuns: 1000 };

/** A cluster: 0–6 groups of 1 or 2 distinct nodes, and a user count for most nodes. */
const cluster = fc.array(fc.integer({ min: 1, max: 2 }), { maxLength: 6 }).chain((sizes) => {
  let next = 0;
  const groups: AssignmentGroup[] = sizes.map((size, g) => ({
    name: `prg-${g}`,
    nodes: Array.from({ length: size }, () => `imp-${next++}`),
  }));
  const nodeIds = groups.flatMap((g) => g.nodes);
  const count = fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 150_000 }));
  return fc.record({
    groups: fc.constant(groups),
    // A node missing from the record has no user; `outside` is in no group.
    counts: fc
      .tuple(...[...nodeIds, 'outside'].map((id) => fc.option(count.map((n) => [id, n] as const))))
      .map((entries) => Object.fromEntries(entries.filter((e) => e !== null)) as Record<string, number>),
  });
});
const mode = fc.constantFrom<UserAssignmentMode>('BALANCED', 'ACTIVE_STANDBY', 'NONE');

const grouped = (groups: readonly AssignmentGroup[]) => groups.flatMap((g) => g.nodes);
const countOf = (counts: Record<string, number>, id: string) => counts[id] ?? 0;

/** The counts after the moves, checking that no move takes users a node does not have. */
function apply(counts: Record<string, number>, moves: UserMove[]): Record<string, number> {
  const after = { ...counts };
  for (const m of moves) {
    expect(countOf(after, m.from)).toBeGreaterThanOrEqual(m.count);
    after[m.from] = countOf(after, m.from) - m.count;
    after[m.to] = countOf(after, m.to) + m.count;
  }
  return after;
}

const moved = (moves: UserMove[]) => moves.reduce((sum, m) => sum + m.count, 0);

/**
 * The fewest users any balanced end state can cost, by trying every choice of which
 * nodes keep the odd users (independent of the planner's own reasoning).
 */
function fewestBalancedMoves(nodes: string[], counts: Record<string, number>): number {
  const current = nodes.map((id) => countOf(counts, id));
  const total = current.reduce((a, b) => a + b, 0);
  const base = Math.floor(total / nodes.length);
  const extra = total % nodes.length;
  let best = Infinity;
  for (let mask = 0; mask < 1 << nodes.length; mask++) {
    const chosen = current.filter((_, i) => mask & (1 << i)).length;
    if (chosen !== extra) continue;
    const cost = current.reduce((sum, c, i) => sum + Math.max(0, c - base - ((mask >> i) & 1)), 0);
    best = Math.min(best, cost);
  }
  return best;
}

describe('sync agent assignment properties (1,000 random clusters each)', () => {
  it('a plan conserves users: every user still has exactly one home', () => {
    fc.assert(
      fc.property(mode, cluster, (m, { groups, counts }) => {
        const after = apply(counts, planRebalance(m, groups, counts));
        const sum = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
        expect(sum(after)).toBe(sum(counts));
        for (const g of groups)
          for (const id of g.nodes) expect(countOf(after, id)).toBeGreaterThanOrEqual(0);
        expect(countOf(after, 'outside')).toBe(countOf(counts, 'outside'));
      }),
      RUNS,
    );
  });

  it('moves never go from a node to itself, move at least one user, and name each pair once', () => {
    fc.assert(
      fc.property(mode, cluster, (m, { groups, counts }) => {
        const moves = planRebalance(m, groups, counts);
        const nodes = grouped(groups);
        for (const move of moves) {
          expect(move.from).not.toBe(move.to);
          expect(Number.isSafeInteger(move.count) && move.count > 0).toBe(true);
          expect(nodes).toContain(move.from);
          expect(nodes).toContain(move.to);
        }
        const pairs = moves.map((x) => `${x.from}>${x.to}`);
        expect(new Set(pairs).size).toBe(pairs.length);
      }),
      RUNS,
    );
  });

  it('Balanced: afterwards the nodes differ by at most one user, at the least possible cost', () => {
    fc.assert(
      fc.property(cluster, ({ groups, counts }) => {
        const moves = planRebalance('BALANCED', groups, counts);
        const after = apply(counts, moves);
        const nodes = grouped(groups);
        if (nodes.length === 0) return;
        const finals = nodes.map((id) => countOf(after, id));
        expect(Math.max(...finals) - Math.min(...finals)).toBeLessThanOrEqual(1);
        expect(moved(moves)).toBe(fewestBalancedMoves(nodes, counts));
      }),
      RUNS,
    );
  });

  it('Active-Standby: afterwards every user of a group is on its first node, and no user left its group', () => {
    fc.assert(
      fc.property(cluster, ({ groups, counts }) => {
        const moves = planRebalance('ACTIVE_STANDBY', groups, counts);
        const after = apply(counts, moves);
        for (const g of groups) {
          const [first, ...rest] = g.nodes;
          for (const id of rest) expect(countOf(after, id)).toBe(0);
          const users = (c: Record<string, number>) => g.nodes.reduce((s, id) => s + countOf(c, id), 0);
          expect(countOf(after, first!)).toBe(users(counts));
        }
        // Only the second nodes' users move: nobody can move fewer.
        expect(moved(moves)).toBe(groups.reduce((s, g) => s + countOf(counts, g.nodes[1] ?? ''), 0));
      }),
      RUNS,
    );
  });

  it('None: never moves anyone nor chooses a home', () => {
    fc.assert(
      fc.property(cluster, ({ groups, counts }) => {
        expect(planRebalance('NONE', groups, counts)).toEqual([]);
        expect(chooseHomeNode('NONE', groups, counts)).toBeNull();
      }),
      RUNS,
    );
  });

  it('is deterministic: the same cluster, with its counts in any order, gets the same answer', () => {
    fc.assert(
      fc.property(mode, cluster, fc.integer(), (m, { groups, counts }, seed) => {
        const entries = Object.entries(counts);
        const shuffled = Object.fromEntries(
          entries
            .map((e, i) => [e, (i * 7919 + seed) % 104729] as const)
            .sort((x, y) => x[1] - y[1])
            .map(([e]) => e),
        );
        expect(planRebalance(m, groups, shuffled)).toEqual(planRebalance(m, groups, counts));
        expect(chooseHomeNode(m, groups, shuffled)).toBe(chooseHomeNode(m, groups, counts));
      }),
      RUNS,
    );
  });

  it('the chosen home has the fewest users among the nodes the mode allows', () => {
    fc.assert(
      fc.property(cluster, ({ groups, counts }) => {
        const balanced = chooseHomeNode('BALANCED', groups, counts);
        const standby = chooseHomeNode('ACTIVE_STANDBY', groups, counts);
        const nodes = grouped(groups);
        if (nodes.length === 0) {
          expect([balanced, standby]).toEqual([null, null]);
          return;
        }
        const firsts = groups.map((g) => g.nodes[0]!);
        expect(countOf(counts, balanced!)).toBe(Math.min(...nodes.map((id) => countOf(counts, id))));
        expect(firsts).toContain(standby);
        expect(countOf(counts, standby!)).toBe(Math.min(...firsts.map((id) => countOf(counts, id))));
      }),
      RUNS,
    );
  });

  it('Balanced: users added one by one stay within one user of each other, with no rebalance', () => {
    fc.assert(
      fc.property(cluster, fc.integer({ min: 0, max: 60 }), ({ groups }, users) => {
        const nodes = grouped(groups);
        const counts: Record<string, number> = {};
        for (let i = 0; i < users; i++) {
          const home = chooseHomeNode('BALANCED', groups, counts);
          if (home === null) return;
          counts[home] = countOf(counts, home) + 1;
        }
        const finals = nodes.map((id) => countOf(counts, id));
        if (finals.length > 0) expect(Math.max(...finals) - Math.min(...finals)).toBeLessThanOrEqual(1);
      }),
      RUNS,
    );
  });
});
