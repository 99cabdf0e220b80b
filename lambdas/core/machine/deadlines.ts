import type { ClusterParameters } from '../schemas/parameters';
import type { GroupState } from '../types';

/**
 * The earliest moment (epoch ms) at which the passing of time alone could change the
 * group: a heartbeat going stale, an initialization window or critical-service delay
 * running out, a workflow deadline, an automatic fallback falling due. Null when only a
 * new event can change it. Stored beside the group, it lets the sweep visit only the
 * groups that are due instead of scanning them all.
 */
export function nextDueAt(group: GroupState, p: ClusterParameters): number | null {
  if (!group.highAvailability) return null;
  const timeout = p.keepAliveTimeout * 1000;
  const times: number[] = [];
  for (const m of group.members) {
    const peer = group.members.find((x) => x.nodeId !== m.nodeId);
    if (m.lastHeartbeatAt !== null) {
      // Stale (isFresh) and lost (isSilent) are both "more than timeout", hence the +1.
      times.push(m.lastHeartbeatAt + timeout + 1);
      times.push(Math.max(m.lastHeartbeatAt, peer?.heardSince ?? m.lastHeartbeatAt) + timeout + 1);
    }
    if (m.initDeadline !== null) times.push(m.initDeadline);
    const faultStarts = [...Object.values(m.servicesDownSince)];
    if (m.databaseDownSince !== null) faultStarts.push(m.databaseDownSince);
    for (const since of faultStarts) times.push(since + p.criticalServiceDelay * 1000);
  }
  const op = group.operation;
  if (op) {
    times.push(op.expiresAt + 1);
    if (op.servicesDeadline !== null) times.push(op.servicesDeadline + 1);
  }
  if (group.autoFallback) times.push(group.autoFallback.dueAt);
  return times.length === 0 ? null : Math.min(...times);
}

/**
 * The earliest moment (epoch ms) a timer of the group runs out: an initialization
 * window, a critical-service delay, a workflow deadline, an automatic fallback. Unlike
 * {@link nextDueAt} it leaves out the heartbeat deadlines, so a steady heartbeat (which
 * only moves those) never has to rewrite it: stored beside the group, it is both the
 * sweep's timer index and a condition of the heartbeat's one-write fast path.
 */
export function nextTimerDueAt(group: GroupState, p: ClusterParameters): number | null {
  if (!group.highAvailability) return null;
  const times: number[] = [];
  for (const m of group.members) {
    if (m.initDeadline !== null) times.push(m.initDeadline);
    const faultStarts = [...Object.values(m.servicesDownSince)];
    if (m.databaseDownSince !== null) faultStarts.push(m.databaseDownSince);
    for (const since of faultStarts) times.push(since + p.criticalServiceDelay * 1000);
  }
  const op = group.operation;
  if (op) {
    times.push(op.expiresAt + 1);
    if (op.servicesDeadline !== null) times.push(op.servicesDeadline + 1);
  }
  if (group.autoFallback) times.push(group.autoFallback.dueAt);
  return times.length === 0 ? null : Math.min(...times);
}

/**
 * When the whole pair will have been silent for `keepAliveTimeout` (epoch ms): the last
 * heartbeat heard from either node, plus the timeout. While one node still sends
 * heartbeats, its own heartbeat notices its peer's silence; only a pair where nobody
 * speaks needs the sweep, and this is when. Null when HA is off, nobody was ever heard,
 * or no node is in a state whose silence would change anything.
 */
export function pairSilentAt(group: GroupState, p: ClusterParameters): number | null {
  if (!group.highAvailability) return null;
  const watched = group.members.some((m) => m.state !== null && !['DOWN', 'UNKNOWN'].includes(m.state));
  const heard = group.members.flatMap((m) => (m.lastHeartbeatAt === null ? [] : [m.lastHeartbeatAt]));
  if (!watched || heard.length === 0) return null;
  return Math.max(...heard) + p.keepAliveTimeout * 1000 + 1;
}
