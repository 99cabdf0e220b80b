import type { NodeStateCode } from '../catalogue/states';
import type { ClusterParameters } from '../schemas/parameters';
import type { HeartbeatBody } from '../schemas/heartbeat';
import type { GroupState, Member } from '../types';
import { keyedCopy, ownValue } from '../keyed';
import { acknowledged } from './acknowledgement';

/** States in which a heartbeat itself may change the node (first heard, back from silence). */
const STATES_A_HEARTBEAT_CHANGES: ReadonlySet<NodeStateCode> = new Set<NodeStateCode>([
  'INITIALIZING',
  'DOWN',
  'UNKNOWN',
]);

/** The critical services a heartbeat reports as not running (missing counts as not running). */
export function servicesReportedDown(hb: HeartbeatBody, params: ClusterParameters): string[] {
  return params.criticalServices.filter((s) => ownValue(hb.services, s) !== 'running');
}

/**
 * Whether a heartbeat can only refresh its node's facts — no state, reason, timer,
 * epoch or order changes, no effect — so that it can be stored with one conditional
 * write and no read. It must be the next heartbeat of the same boot (same bootId and
 * same boot counter, so that a heartbeat from an older boot never skips the refusal the
 * state machine gives it), with no gap, and
 * report exactly the faults already recorded, come from an agent already known to
 * acknowledge if it sends `heard`, and acknowledge what was already acknowledged
 * (`heard`); its node must not be in a state that a
 * heartbeat itself changes; no timer of the group may be due; and its peer must still
 * be heard from (or already be DOWN with no workflow running), so that the peer's
 * silence is detected on this very heartbeat rather than at the next sweep. The
 * DynamoDB adapter states the same conditions as its condition expression; the property
 * tests prove that whenever this holds, {@link transition} gives exactly
 * {@link applySteadyHeartbeat}.
 *
 * @param timerDueAt the group's {@link nextTimerDueAt} as stored with it
 */
export function isSteadyHeartbeat(
  group: GroupState,
  nodeId: string,
  hb: HeartbeatBody,
  now: number,
  params: ClusterParameters,
  timerDueAt: number | null,
): boolean {
  const member = group.members.find((x) => x.nodeId === nodeId);
  if (!member || member.bootId !== hb.bootId) return false;
  // Members stored before boots were counted have none: their next heartbeat records it.
  if ((member.boot ?? null) !== hb.boot) return false;
  if (member.sequence === null || hb.sequence <= member.sequence) return false;
  const timeout = params.keepAliveTimeout * 1000;
  if (member.lastHeartbeatAt === null || now - member.lastHeartbeatAt > timeout) return false;
  if (member.state !== null && STATES_A_HEARTBEAT_CHANGES.has(member.state)) return false;
  if (!sameFaults(member, hb, params)) return false;
  // The first `heard` from an agent marks it as one that acknowledges, for good.
  if (hb.heard !== undefined && member.acknowledges !== true) return false;
  // A changed acknowledgement may end a wait for the node to hear a decision.
  if ((member.heard ?? null) !== acknowledged(group, hb)) return false;
  if (timerDueAt !== null && now >= timerDueAt) return false;
  // The node taking back is being told to start its services and must show it obeyed.
  const op = group.operation;
  if (op && op.phase === 'AWAIT_SERVICES' && op.to === nodeId) return false;
  // The failing node of a take-over is being told to stop; its report may end the wait.
  if (op && op.phase === 'AWAIT_STOP' && op.from === nodeId) return false;
  const peer = group.members.find((x) => x.nodeId !== nodeId);
  if (peer && group.highAvailability) {
    const peerKnownDown = peer.state === 'DOWN' && group.operation === null;
    const peerHeard = peer.lastHeartbeatAt === null || now - peer.lastHeartbeatAt <= timeout;
    if (!peerKnownDown && !peerHeard) return false;
  }
  return true;
}

function sameFaults(member: Member, hb: HeartbeatBody, params: ClusterParameters): boolean {
  const down = servicesReportedDown(hb, params);
  const recorded = Object.keys(member.servicesDownSince);
  return (
    down.length === recorded.length &&
    down.every((s) => Object.hasOwn(member.servicesDownSince, s)) &&
    (hb.database === 'down') === (member.databaseDownSince !== null) &&
    (hb.notice ?? null) === member.notice
  );
}

/**
 * The only change a steady heartbeat makes (see {@link isSteadyHeartbeat}): its node's
 * last-heard time, sequence, reported services and replication. Returns a new group.
 */
export function applySteadyHeartbeat(
  group: GroupState,
  nodeId: string,
  hb: HeartbeatBody,
  now: number,
): GroupState {
  return {
    ...group,
    members: group.members.map((member) =>
      member.nodeId === nodeId
        ? {
            ...member,
            lastHeartbeatAt: now,
            sequence: hb.sequence,
            services: keyedCopy(hb.services),
            replication: hb.replication ?? null,
          }
        : member,
    ),
  };
}
