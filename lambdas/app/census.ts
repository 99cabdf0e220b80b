import type { NodeStateCode } from '../core';
import type { Ports } from './ports';

/** The groups that need attention right now: what the dashboard graphs and the GroupsNotNormal alarm watches. */
export interface GroupCensus {
  /** Groups with high availability on and a node in any state but Normal. */
  notNormal: number;
  /**
   * Nodes of those groups, by state; only states some node is in. Normal nodes of a
   * fleet are not counted: that would mean reading every group every minute.
   */
  nodesInState: Map<NodeStateCode, number>;
}

/**
 * Counts the groups that need attention, through the repository's sparse index of them:
 * its cost grows with the groups not Normal, not with the fleet, so the sweep can run it
 * every minute at any fleet size; requests never run it.
 */
export async function groupCensus(ports: Ports): Promise<GroupCensus> {
  const records = await ports.groups.needingAttention();
  const census: GroupCensus = { notNormal: records.length, nodesInState: new Map() };
  for (const { group } of records) {
    for (const member of group.members) {
      if (member.state === null) continue;
      census.nodesInState.set(member.state, (census.nodesInState.get(member.state) ?? 0) + 1);
    }
  }
  return census;
}
