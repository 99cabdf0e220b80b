import type { UserAssignmentMode } from '../schemas/enterprise';
import { orderedNodes, userCount, type AssignmentGroup, type OrderedNode, type UserCounts } from './nodes';

/** Move `count` users homed on `from` to `to`. */
export interface UserMove {
  readonly from: string;
  readonly to: string;
  readonly count: number;
}

/**
 * The moves that re-run the sync agent's assignment over a cluster
 * (`POST /v1/clusters/{clusterId}/rebalance`), moving as few users as possible.
 *
 * - `BALANCED`: afterwards every node's count differs from every other's by at most 1.
 *   The nodes that already hold the most users keep the one extra user each, which is
 *   what makes the number of users moved the least possible. Users move within their
 *   group first and across groups only for what remains, to disturb fewer subclusters.
 * - `ACTIVE_STANDBY`: every user of a group ends on its first node. Users stay within
 *   their group: the manual only asks that the second node be left as a backup, and
 *   evening out the groups would move users for no gain in availability.
 * - `NONE`: no move; the assignment is the administrator's.
 *
 * Users homed on a node that is in no group are left alone: the sync agent assigns only
 * to the nodes of a subcluster, and such a node is not one. Each (from, to) pair appears
 * at most once and no move goes from a node to itself. Deterministic: ties follow group
 * order, then node order.
 */
export function planRebalance(
  mode: UserAssignmentMode,
  groups: readonly AssignmentGroup[],
  counts: UserCounts,
): UserMove[] {
  const nodes = orderedNodes(groups);
  switch (mode) {
    case 'NONE':
      return [];
    case 'ACTIVE_STANDBY':
      return activeStandbyMoves(nodes, counts);
    case 'BALANCED':
      return balancedMoves(nodes, counts);
  }
}

function activeStandbyMoves(nodes: readonly OrderedNode[], counts: UserCounts): UserMove[] {
  const moves: UserMove[] = [];
  let active: string | null = null;
  for (const node of nodes) {
    if (node.first) {
      active = node.nodeId;
      continue;
    }
    const count = userCount(counts, node.nodeId);
    if (active !== null && count > 0) moves.push({ from: node.nodeId, to: active, count });
  }
  return moves;
}

/** A node's distance from its target: positive gives users away, negative takes them. */
interface Balance {
  readonly node: OrderedNode;
  excess: number;
}

function balancedMoves(nodes: readonly OrderedNode[], counts: UserCounts): UserMove[] {
  if (nodes.length === 0) return [];
  const current = nodes.map((node, order) => ({ node, order, count: userCount(counts, node.nodeId) }));
  const total = current.reduce((sum, c) => sum + c.count, 0);
  const base = Math.floor(total / nodes.length);
  const extra = total % nodes.length;
  // The `extra` nodes with the most users (earlier first on a tie) keep base + 1.
  const ranked = [...current].sort((a, b) => b.count - a.count || a.order - b.order);
  const keepsOneMore = new Set(ranked.slice(0, extra).map((c) => c.order));
  const balances: Balance[] = current.map((c) => ({
    node: c.node,
    excess: c.count - base - (keepsOneMore.has(c.order) ? 1 : 0),
  }));

  const moves: UserMove[] = [];
  const groupNames = [...new Set(nodes.map((n) => n.group))];
  for (const group of groupNames) {
    match(
      balances.filter((b) => b.node.group === group),
      moves,
    );
  }
  match(balances, moves);
  return moves;
}

/** Pairs nodes with users to give with nodes short of users, in order, until one side runs out. */
function match(balances: readonly Balance[], moves: UserMove[]): void {
  const givers = balances.filter((b) => b.excess > 0);
  const takers = balances.filter((b) => b.excess < 0);
  for (const giver of givers) {
    for (const taker of takers) {
      if (giver.excess === 0) break;
      if (taker.excess === 0) continue;
      const count = Math.min(giver.excess, -taker.excess);
      moves.push({ from: giver.node.nodeId, to: taker.node.nodeId, count });
      giver.excess -= count;
      taker.excess += count;
    }
  }
}
