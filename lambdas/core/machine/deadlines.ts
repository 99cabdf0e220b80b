import type { ClusterParameters } from '../schemas/parameters';
import type { NodeStateCode } from '../catalogue/states';
import type { GroupState, Member } from '../types';

/**
 * States whose critical-service delay can make something happen: only a node that
 * serves users fails over when a fault outlasts `criticalServiceDelay`. A node failed
 * over by hand reports its services stopped for as long as it stays Idle; counting those
 * would leave a deadline in the past for the whole failover, and the sweep and the
 * one-write heartbeat would both treat the group as due forever.
 */
const FAULT_TIMED_STATES: ReadonlySet<NodeStateCode> = new Set<NodeStateCode>([
  'NORMAL',
  'RUNNING_IN_BACKUP_MODE',
]);

/** States whose silence changes nothing more: the node is already shown as lost. */
const SILENCE_SETTLED_STATES: ReadonlySet<NodeStateCode> = new Set<NodeStateCode>(['DOWN']);

/** States in which the pair's silence changes nothing: the node is already shown as lost. */
const UNWATCHED_STATES: ReadonlySet<NodeStateCode> = new Set<NodeStateCode>(['DOWN', 'UNKNOWN']);

function faultDeadlines(member: Member, params: ClusterParameters): number[] {
  if (member.state === null || !FAULT_TIMED_STATES.has(member.state)) return [];
  const starts = [...Object.values(member.servicesDownSince)];
  if (member.databaseDownSince !== null) starts.push(member.databaseDownSince);
  return starts.map((since) => since + params.criticalServiceDelay * 1000);
}

/**
 * The earliest moment (epoch ms) a timer of the group runs out: an initialization
 * window, a critical-service delay of a serving node, a workflow deadline, an automatic
 * fallback. It leaves out the heartbeat deadlines, so a steady heartbeat (which only
 * moves those) never has to rewrite it: stored beside the group, it is both the sweep's
 * timer index and a condition of the heartbeat's one-write fast path. Null when no timer
 * runs.
 */
export function nextTimerDueAt(group: GroupState, params: ClusterParameters): number | null {
  if (!group.highAvailability) return null;
  const times: number[] = [];
  for (const member of group.members) {
    if (member.initDeadline !== null) times.push(member.initDeadline);
    times.push(...faultDeadlines(member, params));
  }
  const op = group.operation;
  if (op) {
    times.push(op.expiresAt + 1);
    if (op.servicesDeadline !== null) times.push(op.servicesDeadline + 1);
    // From then on a failing node's report of services stopped lets the users move.
    if (op.phase === 'AWAIT_STOP' && op.stopProvenAt != null) times.push(op.stopProvenAt);
  }
  if (group.autoFallback) times.push(group.autoFallback.dueAt);
  return times.length === 0 ? null : Math.min(...times);
}

/**
 * The earliest moment (epoch ms) at which the passing of time alone could change the
 * group: {@link nextTimerDueAt}, or a node's heartbeat going stale or lost. Null when
 * only a new event can change it.
 */
export function nextDueAt(group: GroupState, params: ClusterParameters): number | null {
  if (!group.highAvailability) return null;
  const timeout = params.keepAliveTimeout * 1000;
  const times: number[] = [];
  const timer = nextTimerDueAt(group, params);
  if (timer !== null) times.push(timer);
  for (const member of group.members) {
    if (
      member.lastHeartbeatAt === null ||
      (member.state !== null && SILENCE_SETTLED_STATES.has(member.state))
    )
      continue;
    const peer = group.members.find((x) => x.nodeId !== member.nodeId);
    // Stale (isFresh) and lost (isSilent) are both "more than timeout", hence the +1.
    times.push(member.lastHeartbeatAt + timeout + 1);
    times.push(Math.max(member.lastHeartbeatAt, peer?.heardSince ?? member.lastHeartbeatAt) + timeout + 1);
  }
  return times.length === 0 ? null : Math.min(...times);
}

/**
 * When the whole pair will have been silent for `keepAliveTimeout` (epoch ms): the last
 * heartbeat heard from either node, plus the timeout. While one node still sends
 * heartbeats, its own heartbeat notices its peer's silence; only a pair where nobody
 * speaks needs the sweep, and this is when. Null when HA is off, nobody was ever heard,
 * or no node is in a state whose silence would change anything.
 */
export function pairSilentAt(group: GroupState, params: ClusterParameters): number | null {
  if (!group.highAvailability) return null;
  const watched = group.members.some((m) => m.state !== null && !UNWATCHED_STATES.has(m.state));
  const heard = group.members.flatMap((m) => (m.lastHeartbeatAt === null ? [] : [m.lastHeartbeatAt]));
  if (!watched || heard.length === 0) return null;
  return Math.max(...heard) + params.keepAliveTimeout * 1000 + 1;
}
