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
