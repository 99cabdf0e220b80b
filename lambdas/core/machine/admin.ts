import type { NodeId } from '../schemas/identifiers';
import type { Effect, Member, RefusalCode } from '../types';
import type { Draft } from './draft';
import { stateLabel } from '../catalogue/states';

/** Thrown inside a transition to refuse an admin action; the transition maps it to a Refuse effect. */
export class Refusal {
  constructor(
    readonly code: RefusalCode,
    readonly message: string,
  ) {}
}

/** The node states in which both nodes count as failed, so that recovery is allowed. */
export const FAILED_STATES = new Set(['RUNNING_IN_FAILED_MODE', 'UNKNOWN', 'DOWN']);

function requireHa(d: Draft, action: string): void {
  if (!d.group.highAvailability) {
    throw new Refusal(
      'HA_DISABLED',
      `Cannot ${action}: high availability is not enabled on group ${d.group.name}.`,
    );
  }
  const op = d.group.operation;
  if (op) {
    throw new Refusal(
      'OPERATION_IN_PROGRESS',
      `Cannot ${action}: operation ${op.id} (${op.kind}) is still running on group ${d.group.name}; wait for it to finish.`,
    );
  }
}

function requireMember(d: Draft, nodeId: NodeId): Member {
  const m = d.group.members.find((x) => x.nodeId === nodeId);
  if (!m) {
    throw new Refusal('NODE_NOT_IN_GROUP', `Node ${nodeId} is not a member of group ${d.group.name}.`);
  }
  return m;
}

/** A node's state in the manual's words, for refusals an operator reads. */
const describe = (m: Member) => `${m.nodeId} is ${m.state ? stateLabel(m.state) : 'not managed (HA off)'}`;

/** Manual failover of `nodeId` to its peer: both nodes must be NORMAL. */
export function adminFailover(d: Draft, nodeId: NodeId): void {
  requireHa(d, 'fail over');
  const [x, y] = d.pair(requireMember(d, nodeId));
  if (x.state !== 'NORMAL' || y.state !== 'NORMAL') {
    throw new Refusal(
      'STATE_CONFLICT',
      `Failover needs both nodes Normal; ${describe(x)} and ${describe(y)}.`,
    );
  }
  const cause = `The administrator initiated a manual failover from ${x.nodeId} to ${y.nodeId}.`;
  d.set(x, 'FAILING_OVER', 'ON_ADMIN_REQUEST', cause);
  d.set(y, 'TAKING_OVER', 'ON_ADMIN_REQUEST', cause);
  d.startOperation('TAKE_OVER', 'ON_ADMIN_REQUEST', x, y, null);
}

/** Manual fallback to `nodeId` (Idle or Failed Over) from its peer running in backup mode. */
export function adminFallback(d: Draft, nodeId: NodeId): void {
  requireHa(d, 'fall back');
  const [x, y] = d.pair(requireMember(d, nodeId));
  const ready = (x.state === 'IDLE' || x.state === 'FAILED_OVER') && d.group.failedOver === x.nodeId;
  if (!ready || y.state !== 'RUNNING_IN_BACKUP_MODE') {
    throw new Refusal(
      'STATE_CONFLICT',
      `Fallback to ${x.nodeId} needs it Idle or Failed Over and its peer Running in Backup Mode; ${describe(x)} and ${describe(y)}.`,
    );
  }
  const cause = `The administrator initiated a manual fallback from ${y.nodeId} to ${x.nodeId}.`;
  d.set(x, 'TAKING_BACK', 'ON_ADMIN_REQUEST', cause);
  d.set(y, 'FALLING_BACK', 'ON_ADMIN_REQUEST', cause);
  d.startOperation(
    'FALL_BACK',
    'ON_ADMIN_REQUEST',
    y,
    x,
    d.now + d.params.initializationKeepAliveTimeout * 1000,
  );
}

/** Manual recovery: both nodes failed; users go home and each node starts over. */
export function adminRecover(d: Draft): void {
  requireHa(d, 'recover');
  const [a, b] = d.both();
  if (!FAILED_STATES.has(a.state ?? '') || !FAILED_STATES.has(b.state ?? '')) {
    throw new Refusal(
      'STATE_CONFLICT',
      `Recovery needs both nodes failed; ${describe(a)} and ${describe(b)}.`,
    );
  }
  const deadline = d.now + d.params.initializationKeepAliveTimeout * 1000;
  const cause = 'The administrator initiated a recovery: both nodes restart their critical services.';
  d.initialize(a, deadline, false, cause);
  d.initialize(b, deadline, false, cause);
  // Users return home: from whichever node serves the failed-over node's users.
  const away = d.group.failedOver === b.nodeId ? b : a;
  d.startOperation('RECOVER', 'INITIALIZATION', d.peer(away), away, null);
}

/** Turns high availability on: both nodes initialize, judged on what their heartbeats show. */
export function enableHa(d: Draft): void {
  if (d.group.highAvailability) return;
  if (d.group.members.length !== 2) {
    throw new Refusal('STATE_CONFLICT', `High availability needs two nodes; group ${d.group.name} has one.`);
  }
  d.group.highAvailability = true;
  d.group.failedOver = null;
  for (const m of d.group.members) {
    // A node heard from recently is judged at once (the manual: "immediate failover");
    // one not yet heard from has initializationKeepAliveTimeout to send its first heartbeat.
    const heard = m.lastHeartbeatAt !== null && d.now - m.lastHeartbeatAt <= d.params.keepAliveTimeout * 1000;
    const deadline = heard ? d.now : d.now + d.params.initializationKeepAliveTimeout * 1000;
    d.initialize(m, deadline, heard, 'The administrator enabled high availability.');
  }
}

/** Turns high availability off (refused while a node is failed over): nodes are no longer managed. */
export function disableHa(d: Draft): void {
  if (!d.group.highAvailability) return;
  requireHa(d, 'disable high availability');
  // Without HA every user is served by its home node. While a node is failed over, that
  // node is down, or was told to stop its services: its users would lose service.
  const away = d.group.failedOver;
  if (away !== null) {
    const peer = d.group.nodes.find((n) => n !== away) ?? away;
    throw new Refusal(
      'STATE_CONFLICT',
      `Cannot disable high availability while the users of ${away} are served by ${peer}: they would go back to ${away}. Fall back to ${away} first (or recover the group).`,
    );
  }
  d.group.highAvailability = false;
  d.group.failedOver = null;
  d.group.autoFallback = null;
  for (const m of d.group.members) {
    if (m.state !== null) d.causes.set(m.nodeId, 'The administrator disabled high availability.');
    m.state = null;
    m.reason = null;
    m.initDeadline = null;
    m.heardSinceInit = false;
    m.downFrom = null;
  }
}

/** The effect that tells the caller why an action was refused, with the current states. */
export function refusalEffect(d: Draft, r: Refusal): Effect {
  return {
    type: 'Refuse',
    code: r.code,
    message: r.message,
    states: d.group.members.map((m) => ({ nodeId: m.nodeId, state: m.state, reason: m.reason })),
  };
}
