import type { NodeStateCode } from '../core';
import type { Ports } from './ports';

/** How the fleet stands right now: what the dashboard graphs and the GroupsNotNormal alarm watches. */
export interface GroupCensus {
  groups: number;
  /** Groups with high availability on and a node in any state but Normal. */
  notNormal: number;
  /** Groups with high availability off: not counted as not Normal, since an operator chose it. */
  highAvailabilityOff: number;
  /** Nodes of groups with high availability on, by state; only states some node is in. */
  nodesInState: Map<NodeStateCode, number>;
}

/**
 * Counts the groups that need attention. It reads every group (one paged scan), so the
 * sweep runs it once a minute, never a request: heartbeats are not slowed by it.
 */
export async function groupCensus(ports: Ports): Promise<GroupCensus> {
  const records = await ports.groups.list('');
  const census: GroupCensus = {
    groups: records.length,
    notNormal: 0,
    highAvailabilityOff: 0,
    nodesInState: new Map(),
  };
  for (const { group } of records) {
    if (!group.highAvailability) {
      census.highAvailabilityOff += 1;
      continue;
    }
    let normal = true;
    for (const member of group.members) {
      if (member.state === null) continue;
      if (member.state !== 'NORMAL') normal = false;
      census.nodesInState.set(member.state, (census.nodesInState.get(member.state) ?? 0) + 1);
    }
    if (!normal) census.notNormal += 1;
  }
  return census;
}
