import type { NodeId } from '../schemas/identifiers';
import type { GroupState, Member, NodeStatus } from '../types';
import { stateLabel } from '../catalogue/states';
import { Refusal } from './admin';

/** A node's state in the manual's words, for refusals an operator reads. */
const describe = (member: Member) =>
  `${member.nodeId} is ${member.state ? stateLabel(member.state) : 'not managed (HA off)'}`;

/** Each member's state and reason, as a refusal shows them. */
export function memberStates(group: GroupState): NodeStatus[] {
  return group.members.map((m) => ({ nodeId: m.nodeId, state: m.state, reason: m.reason }));
}

/** Where a re-home moves users: from the failed-over node to the peer that serves them. */
export interface RehomePlan {
  from: NodeId;
  to: NodeId;
}

/**
 * Checks that the users whose home is `nodeId` may be given its peer as their new home:
 * HA is on, no workflow runs, `nodeId` is the failed-over node and its peer serves its
 * users (Running in Backup Mode). This is the way out for a node that will not come back:
 * once it is home to nobody, deleting the group sends no user back to it.
 *
 * @throws Refusal naming both states and what to do instead
 */
export function checkRehome(group: GroupState, nodeId: NodeId): RehomePlan {
  const member = group.members.find((m) => m.nodeId === nodeId);
  if (!member) {
    throw new Refusal('NODE_NOT_IN_GROUP', `Node ${nodeId} is not a member of group ${group.name}.`);
  }
  const peer = group.members.find((m) => m.nodeId !== nodeId);
  if (!group.highAvailability || !peer) {
    throw new Refusal(
      'HA_DISABLED',
      `Cannot re-home the users of ${nodeId}: high availability is off on group ${group.name}, so every user is already served by its home node. Set homes by hand with PUT /v1/users/{userId}/home, or delete the group.`,
    );
  }
  const op = group.operation;
  if (op) {
    throw new Refusal(
      'OPERATION_IN_PROGRESS',
      `Cannot re-home the users of ${nodeId}: operation ${op.id} (${op.kind}) is still running on group ${group.name}; wait for it to finish.`,
    );
  }
  if (group.failedOver !== nodeId || peer.state !== 'RUNNING_IN_BACKUP_MODE') {
    throw new Refusal(
      'STATE_CONFLICT',
      `Re-homing moves the users of a failed-over node to the peer serving them; it needs ${nodeId} failed over and ${peer.nodeId} Running in Backup Mode, but ${describe(member)} and ${describe(peer)}${group.failedOver === null ? ' and nobody is failed over' : ''}. If both nodes are failed, recover the group first (POST /v1/groups/${group.name}/recover).`,
    );
  }
  return { from: nodeId, to: peer.nodeId };
}

/**
 * Checks that a group may be dissolved. While a node is failed over its users are served by
 * its peer; without the group they would go back to their home node, which is down or was
 * told to stop its services. Deleting is refused until that node is home to nobody
 * (`usersOfFailedOver` = 0, after a re-home) or the group has fallen back.
 *
 * @param usersOfFailedOver how many users have the failed-over node as their home
 * @throws Refusal naming the states and the two ways out
 */
export function checkDissolve(group: GroupState, usersOfFailedOver: number): void {
  if (!group.highAvailability) return;
  const op = group.operation;
  if (op) {
    throw new Refusal(
      'OPERATION_IN_PROGRESS',
      `Group ${group.name} has operation ${op.id} (${op.kind}) running; wait for it to finish, then delete the group.`,
    );
  }
  const away = group.failedOver;
  if (away === null || usersOfFailedOver === 0) return;
  const member = group.members.find((m) => m.nodeId === away);
  const peer = group.members.find((m) => m.nodeId !== away);
  const states = member && peer ? ` (${describe(member)} and ${describe(peer)})` : '';
  const peerId = peer?.nodeId ?? 'its peer';
  throw new Refusal(
    'STATE_CONFLICT',
    `Cannot delete group ${group.name} while ${away} is failed over${states}: its ${usersOfFailedOver} user(s) are served by ${peerId} and would go back to ${away}, which is down or stopped. Fall back to ${away} first (prg fallback ${away}); or, if ${away} will not come back, re-home its users to ${peerId} (prg group rehome ${group.name} ${away}, POST /v1/groups/${group.name}/rehome) and then delete the group.`,
  );
}
