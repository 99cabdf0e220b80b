import type { NodeStateCode } from '../catalogue/states';
import type { HeartbeatBody } from '../schemas/heartbeat';
import type { Member } from '../types';
import type { Draft } from './draft';
import { bootOrder, isHealthy, updateFactsFromHeartbeat } from './health';
import { acknowledged } from './acknowledgement';

/** States a node keeps across an SRM restart, its reason becoming INITIALIZATION (Table 2). */
const KEEP_STATE_ON_RESTART: ReadonlySet<NodeStateCode> = new Set<NodeStateCode>([
  'IDLE',
  'RUNNING_IN_BACKUP_MODE',
  'FAILING_OVER',
  'TAKING_OVER',
  'TAKING_BACK',
  'FALLING_BACK',
  'FAILED_OVER',
  'FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING',
  'BACKUP_ACTIVATED',
  'FAILOVER_AFFECTED_SERVICES',
]);

/**
 * Applies a node's heartbeat: records its facts, then the state changes a heartbeat
 * itself causes (an SRM restart, a DOWN or UNKNOWN node heard again). Timer rules run
 * afterwards, in `evaluate`.
 */
export function applyHeartbeat(draft: Draft, nodeId: string, hb: HeartbeatBody): void {
  const member = draft.member(nodeId);
  // Older and reused boots were refused before this point: a different boot is a restart.
  const restarted = bootOrder(member, hb) === 'newer';
  updateFactsFromHeartbeat(member, hb, draft.now, draft.params);
  member.heard = acknowledged(draft.group, hb);
  // An agent that ever sent `heard` acknowledges for good: a heartbeat without it later on
  // (an agent downgraded by hand) only leaves its node one that cannot be told.
  if (hb.heard !== undefined) member.acknowledges = true;
  if (member.state === 'INITIALIZING') member.heardSinceInit = true;
  if (!draft.group.highAvailability || member.state === null) return;

  const peer = draft.peer(member);
  const restartCause = `The SRM on ${member.nodeId} restarted (boot ${hb.boot}, bootId ${hb.bootId}).`;
  if (member.state === 'DOWN') {
    returnFromDown(draft, member, restarted);
  } else if (member.state === 'UNKNOWN') {
    if (draft.group.failedOver === null) {
      draft.initialize(
        member,
        draft.now + draft.params.initializationKeepAliveTimeout * 1000,
        true,
        `${member.nodeId} is heard from again.`,
      );
    } else {
      draft.set(
        member,
        'RUNNING_IN_FAILED_MODE',
        'UNKNOWN',
        `${member.nodeId} is heard from again, but its peer still holds failed-over users.`,
      );
    }
  } else if (restarted && KEEP_STATE_ON_RESTART.has(member.state)) {
    draft.set(member, member.state, 'INITIALIZATION', restartCause);
  }
  if (restarted && peer.state === 'RUNNING_IN_FAILED_MODE' && member.state !== 'INITIALIZING') {
    const cause = `${restartCause} Its peer ${peer.nodeId} is in a failed state.`;
    draft.set(member, 'RUNNING_IN_FAILED_MODE', 'UNKNOWN', cause);
    draft.set(peer, 'RUNNING_IN_FAILED_MODE', 'UNKNOWN', cause);
  } else if (restarted && member.state === 'RUNNING_IN_FAILED_MODE') {
    draft.set(member, 'RUNNING_IN_FAILED_MODE', 'UNKNOWN', restartCause);
  }
}

/** A DOWN node heard again: back to where its users are. */
function returnFromDown(draft: Draft, member: Member, restarted: boolean): void {
  const op = draft.group.operation;
  // A take-over of this node's users is in flight: its completion decides.
  if (op && op.from === member.nodeId) return;
  const cause = restarted
    ? `${member.nodeId} is heard from again after an SRM restart (bootId ${member.bootId}).`
    : `${member.nodeId} is heard from again.`;
  const reason = restarted ? 'INITIALIZATION' : (member.reason ?? 'UNKNOWN');
  const peer = draft.peer(member);
  // Its peer is failed: both need a recovery (the manual warns that a node whose link
  // to its peer comes back can end up failed).
  if (
    member.downFrom === 'RUNNING_IN_FAILED_MODE' ||
    peer.state === 'RUNNING_IN_FAILED_MODE' ||
    peer.state === 'UNKNOWN'
  ) {
    draft.set(
      member,
      'RUNNING_IN_FAILED_MODE',
      reason,
      `${cause} The group is in a failed state; recovery is needed.`,
    );
    return;
  }
  if (draft.group.failedOver === member.nodeId) {
    if (member.downFrom === 'IDLE' || member.reason === 'ON_ADMIN_REQUEST')
      draft.set(member, 'IDLE', reason, cause);
    else if (isHealthy(member, draft.now, draft.params)) draft.set(member, 'FAILED_OVER', reason, cause);
    else draft.set(member, 'FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING', reason, cause);
    return;
  }
  // Nobody took its users: it resumes serving them.
  if (draft.group.failedOver === peer.nodeId) {
    // Its own reason described its absence; the failover's reason is its peer's.
    const backupReason = restarted ? 'INITIALIZATION' : (peer.reason ?? 'UNKNOWN');
    draft.set(
      member,
      'RUNNING_IN_BACKUP_MODE',
      backupReason,
      `${cause} It still serves the users of ${peer.nodeId}.`,
    );
  } else {
    draft.initialize(member, draft.now + draft.params.initializationKeepAliveTimeout * 1000, true, cause);
  }
}
