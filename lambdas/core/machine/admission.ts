import type { GroupState } from '../types';

/**
 * Whether a group is in a failover state in the manual's sense (the one in which no new
 * end user may join the cluster): a node's users are on its peer, or a workflow is
 * moving users right now.
 */
export function inFailoverState(group: GroupState): boolean {
  return group.highAvailability && (group.failedOver !== null || group.operation !== null);
}
