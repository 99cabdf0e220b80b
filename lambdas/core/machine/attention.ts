import type { GroupState } from '../types';

/**
 * Whether a group needs an operator's eye: high availability on and a node in any state
 * but Normal. A group with high availability off does not count, since an operator chose
 * that. Only a decision of the state machine can change the answer (a steady heartbeat
 * leaves every state as it is), which is what lets storage keep these groups in a sparse
 * index that heartbeats never write.
 */
export function needsAttention(group: GroupState): boolean {
  if (!group.highAvailability) return false;
  return group.members.some((member) => member.state !== null && member.state !== 'NORMAL');
}
