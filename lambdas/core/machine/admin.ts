import type { NodeId } from '../schemas/identifiers';
import type { Effect, Member, RefusalCode } from '../types';
import type { Draft } from './draft';
import { stateLabel, type NodeStateCode } from '../catalogue/states';
import { serviceStopSeconds } from '../schemas/parameters';
import { silenceProvesFence } from './acknowledgement';

/** Thrown inside a transition to refuse an admin action; the transition maps it to a Refuse effect. */
export class Refusal {
  constructor(
    readonly code: RefusalCode,
    readonly message: string,
  ) {}
}

/** The node states in which both nodes count as failed, so that recovery is allowed. */
export const FAILED_STATES: ReadonlySet<NodeStateCode> = new Set<NodeStateCode>([
  'RUNNING_IN_FAILED_MODE',
  'UNKNOWN',
  'DOWN',
]);

function requireHa(draft: Draft, action: string): void {
  if (!draft.group.highAvailability) {
    throw new Refusal(
      'HA_DISABLED',
      `Cannot ${action}: high availability is not enabled on group ${draft.group.name}.`,
    );
  }
  const op = draft.group.operation;
  if (op) {
    throw new Refusal(
      'OPERATION_IN_PROGRESS',
      `Cannot ${action}: operation ${op.id} (${op.kind}) is still running on group ${draft.group.name}; wait for it to finish.`,
    );
  }
}

function requireMember(draft: Draft, nodeId: NodeId): Member {
  const member = draft.group.members.find((x) => x.nodeId === nodeId);
  if (!member) {
    throw new Refusal('NODE_NOT_IN_GROUP', `Node ${nodeId} is not a member of group ${draft.group.name}.`);
  }
  return member;
}

/** A node's state in the manual's words, for refusals an operator reads. */
const describe = (member: Member) =>
  `${member.nodeId} is ${member.state ? stateLabel(member.state) : 'not managed (HA off)'}`;

/** Manual failover of `nodeId` to its peer: both nodes must be NORMAL. */
export function adminFailover(draft: Draft, nodeId: NodeId): void {
  requireHa(draft, 'fail over');
  const [member, peer] = draft.pair(requireMember(draft, nodeId));
  // A silent node whose agent never acknowledged the group is not failed over on its
  // own (its silence proves no fence); the operator, who may know it is off, can.
  if (
    member.state === 'DOWN' &&
    peer.state === 'NORMAL' &&
    draft.group.failedOver === null &&
    !silenceProvesFence(member)
  ) {
    const cause = `The administrator failed over ${member.nodeId}, silent and never told of the HA group, to ${peer.nodeId}.`;
    draft.set(member, 'DOWN', 'ON_ADMIN_REQUEST', cause);
    draft.set(peer, 'TAKING_OVER', 'ON_ADMIN_REQUEST', cause);
    draft.startOperation('TAKE_OVER', 'ON_ADMIN_REQUEST', member, peer, null);
    return;
  }
  if (member.state !== 'NORMAL' || peer.state !== 'NORMAL') {
    throw new Refusal(
      'STATE_CONFLICT',
      `Failover needs both nodes Normal; ${describe(member)} and ${describe(peer)}.`,
    );
  }
  const cause = `The administrator initiated a manual failover from ${member.nodeId} to ${peer.nodeId}.`;
  draft.set(member, 'FAILING_OVER', 'ON_ADMIN_REQUEST', cause);
  draft.set(peer, 'TAKING_OVER', 'ON_ADMIN_REQUEST', cause);
  // Its users stay on it until it has stopped its services (see the AWAIT_STOP rule).
  const stopBy =
    draft.now + (draft.params.initializationKeepAliveTimeout + serviceStopSeconds(draft.params)) * 1000;
  draft.startOperation('TAKE_OVER', 'ON_ADMIN_REQUEST', member, peer, stopBy, 'AWAIT_STOP');
}

/** Manual fallback to `nodeId` (Idle or Failed Over) from its peer running in backup mode. */
export function adminFallback(draft: Draft, nodeId: NodeId): void {
  requireHa(draft, 'fall back');
  const [member, peer] = draft.pair(requireMember(draft, nodeId));
  const ready =
    (member.state === 'IDLE' || member.state === 'FAILED_OVER') && draft.group.failedOver === member.nodeId;
  if (!ready || peer.state !== 'RUNNING_IN_BACKUP_MODE') {
    throw new Refusal(
      'STATE_CONFLICT',
      `Fallback to ${member.nodeId} needs it Idle or Failed Over and its peer Running in Backup Mode; ${describe(member)} and ${describe(peer)}.`,
    );
  }
  const cause = `The administrator initiated a manual fallback from ${peer.nodeId} to ${member.nodeId}.`;
  draft.set(member, 'TAKING_BACK', 'ON_ADMIN_REQUEST', cause);
  draft.set(peer, 'FALLING_BACK', 'ON_ADMIN_REQUEST', cause);
  draft.startOperation(
    'FALL_BACK',
    'ON_ADMIN_REQUEST',
    peer,
    member,
    draft.now + draft.params.initializationKeepAliveTimeout * 1000,
  );
}

/** Manual recovery: both nodes failed; users go home and each node starts over. */
export function adminRecover(draft: Draft): void {
  requireHa(draft, 'recover');
  const [first, second] = draft.both();
  const failed = (member: Member) => member.state !== null && FAILED_STATES.has(member.state);
  if (!failed(first) || !failed(second)) {
    throw new Refusal(
      'STATE_CONFLICT',
      `Recovery needs both nodes failed; ${describe(first)} and ${describe(second)}.`,
    );
  }
  const deadline = draft.now + draft.params.initializationKeepAliveTimeout * 1000;
  const cause = 'The administrator initiated a recovery: both nodes restart their critical services.';
  draft.initialize(first, deadline, false, cause);
  draft.initialize(second, deadline, false, cause);
  // Users return home: from whichever node serves the failed-over node's users.
  const away = draft.group.failedOver === second.nodeId ? second : first;
  // Users held by the peer wait until it has heard the recovery (it then serves only its
  // own) or has surely fenced; with nobody failed over there is nothing to wait for.
  const waits = draft.group.failedOver !== null;
  draft.startOperation('RECOVER', 'INITIALIZATION', draft.peer(away), away, waits ? deadline : null);
}

/** Turns high availability on: both nodes initialize, judged on what their heartbeats show. */
export function enableHa(draft: Draft): void {
  if (draft.group.highAvailability) return;
  if (draft.group.members.length !== 2) {
    throw new Refusal(
      'STATE_CONFLICT',
      `High availability needs two nodes; group ${draft.group.name} has one.`,
    );
  }
  draft.group.highAvailability = true;
  draft.group.failedOver = null;
  for (const member of draft.group.members) {
    // Nothing acknowledged before counts: the node must hear that it is in the group.
    member.heard = null;
    // A node heard from recently is judged at once (the manual: "immediate failover");
    // one not yet heard from has initializationKeepAliveTimeout to send its first heartbeat.
    const heard =
      member.lastHeartbeatAt !== null &&
      draft.now - member.lastHeartbeatAt <= draft.params.keepAliveTimeout * 1000;
    const deadline = heard ? draft.now : draft.now + draft.params.initializationKeepAliveTimeout * 1000;
    draft.initialize(member, deadline, heard, 'The administrator enabled high availability.');
  }
}

/** Turns high availability off (refused while a node is failed over): nodes are no longer managed. */
export function disableHa(draft: Draft): void {
  if (!draft.group.highAvailability) return;
  requireHa(draft, 'disable high availability');
  // Without HA every user is served by its home node. While a node is failed over, that
  // node is down, or was told to stop its services: its users would lose service.
  const away = draft.group.failedOver;
  if (away !== null) {
    const peer = draft.group.nodes.find((n) => n !== away) ?? away;
    throw new Refusal(
      'STATE_CONFLICT',
      `Cannot disable high availability while the users of ${away} are served by ${peer}: they would go back to ${away}. Fall back to ${away} first (or recover the group).`,
    );
  }
  draft.group.highAvailability = false;
  draft.group.failedOver = null;
  draft.group.autoFallback = null;
  for (const member of draft.group.members) {
    if (member.state !== null)
      draft.causes.set(member.nodeId, 'The administrator disabled high availability.');
    member.state = null;
    member.reason = null;
    member.initDeadline = null;
    member.heardSinceInit = false;
    member.downFrom = null;
    // Answers from now on say "no HA group": what it acknowledged no longer shows it fences.
    member.heard = null;
  }
}

/** The effect that tells the caller why an action was refused, with the current states. */
export function refusalEffect(draft: Draft, refusal: Refusal): Effect {
  return {
    type: 'Refuse',
    code: refusal.code,
    message: refusal.message,
    states: draft.group.members.map((m) => ({ nodeId: m.nodeId, state: m.state, reason: m.reason })),
  };
}
