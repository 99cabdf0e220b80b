import { GroupInvariantError } from '../errors';
import { ownValue } from '../keyed';

/** A presence redundancy group as the sync agent sees it: its name and nodes, in group order. */
export interface AssignmentGroup {
  readonly name: string;
  readonly nodes: readonly string[];
}

/** How many users each node is home to now; a node missing from the record has none. */
export type UserCounts = Readonly<Record<string, number>>;

/** One node of a group, with where it stands in the cluster's order. */
export interface OrderedNode {
  readonly nodeId: string;
  readonly group: string;
  /** The group's first node: the active one in Active-Standby. */
  readonly first: boolean;
}

/**
 * Every node of the groups, in group order then node order: the order that breaks every
 * tie, so that the same cluster always gets the same answer. A node listed in two groups
 * breaks the rule that a node is in at most one group (docs/data-model.md); counting its users
 * twice would make the plan move users that do not exist, so it is refused.
 */
export function orderedNodes(groups: readonly AssignmentGroup[]): OrderedNode[] {
  const seen = new Map<string, string>();
  const result: OrderedNode[] = [];
  for (const group of groups) {
    group.nodes.forEach((nodeId, index) => {
      const other = seen.get(nodeId);
      if (other !== undefined) {
        throw new GroupInvariantError(group.name, `node ${nodeId} is also listed in group ${other}`);
      }
      seen.set(nodeId, group.name);
      result.push({ nodeId, group: group.name, first: index === 0 });
    });
  }
  return result;
}

/**
 * The number of users homed on a node (0 when the record does not name it). A count that
 * is not a whole number of at least 0 is refused rather than planned with: it can only
 * come from a bug upstream, and a plan built on it would move users that do not exist.
 */
export function userCount(counts: UserCounts, nodeId: string): number {
  const count = ownValue(counts, nodeId) ?? 0;
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new RangeError(
      `The user count of node ${nodeId} must be a whole number of at least 0, not ${count}.`,
    );
  }
  return count;
}
