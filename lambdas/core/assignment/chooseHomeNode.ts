import type { UserAssignmentMode } from '../schemas/enterprise';
import { orderedNodes, userCount, type AssignmentGroup, type UserCounts } from './nodes';

/**
 * The home node the sync agent gives a new user of a cluster.
 *
 * - `BALANCED`: the node with the fewest users over all nodes of all groups, which both
 *   fills each subcluster's nodes equally and evens out the cluster (the manual's two
 *   aims for Balanced).
 * - `ACTIVE_STANDBY`: the first node of the group whose first node has the fewest users;
 *   the second node stays a backup. The manual is silent on several groups: spreading
 *   new users over the groups' active nodes keeps the groups even without moving anyone.
 * - `NONE`: null; the administrator assigns the user by hand.
 *
 * Ties go to the earlier group, then the earlier node, so the answer never depends on
 * anything but the inputs. Null as well when the cluster has no group yet.
 *
 * @param groups the cluster's groups, nodes in group order
 * @param counts the users homed on each node now (not the users themselves: a cluster may have 150,000)
 */
export function chooseHomeNode(
  mode: UserAssignmentMode,
  groups: readonly AssignmentGroup[],
  counts: UserCounts,
): string | null {
  if (mode === 'NONE') return null;
  const nodes = orderedNodes(groups);
  const candidates = mode === 'BALANCED' ? nodes : nodes.filter((n) => n.first);
  let best: string | null = null;
  let fewest = Infinity;
  for (const { nodeId } of candidates) {
    const users = userCount(counts, nodeId);
    if (users < fewest) {
      best = nodeId;
      fewest = users;
    }
  }
  return best;
}
