import type { GroupState } from '../types';

/**
 * Whether a group is in a failover state in the manual's sense ("You cannot add end
 * users to an IM and Presence Service cluster while one of the nodes is in a failover
 * state"): a node's users are on its peer, or a workflow is moving users right now.
 */
export function inFailoverState(group: GroupState): boolean {
  return group.highAvailability && (group.failedOver !== null || group.operation !== null);
}
