import type { HeartbeatBody } from '../schemas/heartbeat';
import type { Member } from '../types';
import type { Draft } from './draft';
import { isHealthy, recordHeartbeat } from './health';

/** States a node keeps across an SRM restart, its reason becoming INITIALIZATION (Table 2). */
const KEEP_STATE_ON_RESTART = new Set([
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
export function applyHeartbeat(d: Draft, nodeId: string, hb: HeartbeatBody): void {
  const m = d.member(nodeId);
  const restarted = m.bootId !== null && m.bootId !== hb.bootId;
  recordHeartbeat(m, hb, d.now, d.params);
  if (m.state === 'INITIALIZING') m.heardSinceInit = true;
  if (!d.group.highAvailability || m.state === null) return;

  const y = d.peer(m);
  const restartCause = `The SRM on ${m.nodeId} restarted (new bootId ${hb.bootId}).`;
  if (m.state === 'DOWN') {
    returnFromDown(d, m, restarted);
  } else if (m.state === 'UNKNOWN') {
    if (d.group.failedOver === null) {
      d.initialize(
        m,
        d.now + d.params.initializationKeepAliveTimeout * 1000,
        true,
        `${m.nodeId} is heard from again.`,
      );
    } else {
      d.set(
        m,
        'RUNNING_IN_FAILED_MODE',
        'UNKNOWN',
        `${m.nodeId} is heard from again, but its peer still holds failed-over users.`,
      );
    }
  } else if (restarted && KEEP_STATE_ON_RESTART.has(m.state)) {
    d.set(m, m.state, 'INITIALIZATION', restartCause);
  }
  if (restarted && y.state === 'RUNNING_IN_FAILED_MODE' && m.state !== 'INITIALIZING') {
    const cause = `${restartCause} Its peer ${y.nodeId} is in a failed state.`;
    d.set(m, 'RUNNING_IN_FAILED_MODE', 'UNKNOWN', cause);
    d.set(y, 'RUNNING_IN_FAILED_MODE', 'UNKNOWN', cause);
  } else if (restarted && m.state === 'RUNNING_IN_FAILED_MODE') {
    d.set(m, 'RUNNING_IN_FAILED_MODE', 'UNKNOWN', restartCause);
  }
}

/** A DOWN node heard again: back to where its users are. */
function returnFromDown(d: Draft, m: Member, restarted: boolean): void {
  const op = d.group.operation;
  // A take-over of this node's users is in flight: its completion decides.
  if (op && op.from === m.nodeId) return;
  const cause = restarted
    ? `${m.nodeId} is heard from again after an SRM restart (bootId ${m.bootId}).`
    : `${m.nodeId} is heard from again.`;
  const reason = restarted ? 'INITIALIZATION' : (m.reason ?? 'UNKNOWN');
  const y = d.peer(m);
  // Its peer is failed: both need a recovery (the manual: "when you reestablish the
  // network connection between the nodes, the node may go into a failed state").
  if (
    m.downFrom === 'RUNNING_IN_FAILED_MODE' ||
    y.state === 'RUNNING_IN_FAILED_MODE' ||
    y.state === 'UNKNOWN'
  ) {
    d.set(
      m,
      'RUNNING_IN_FAILED_MODE',
      reason,
      `${cause} The group is in a failed state; recovery is needed.`,
    );
    return;
  }
  if (d.group.failedOver === m.nodeId) {
    if (m.downFrom === 'IDLE' || m.reason === 'ON_ADMIN_REQUEST') d.set(m, 'IDLE', reason, cause);
    else if (isHealthy(m, d.now, d.params)) d.set(m, 'FAILED_OVER', reason, cause);
    else d.set(m, 'FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING', reason, cause);
    return;
  }
  // Nobody took its users: it resumes serving them.
  if (d.group.failedOver === y.nodeId) {
    // Its own reason described its absence; the failover's reason is its peer's.
    const backupReason = restarted ? 'INITIALIZATION' : (y.reason ?? 'UNKNOWN');
    d.set(m, 'RUNNING_IN_BACKUP_MODE', backupReason, `${cause} It still serves the users of ${y.nodeId}.`);
  } else {
    d.initialize(m, d.now + d.params.initializationKeepAliveTimeout * 1000, true, cause);
  }
}
