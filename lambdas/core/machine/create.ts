import type { NodeId } from '../schemas/identifiers';
import type { GroupState } from '../types';
import { emptyFacts } from './health';

/**
 * A new group with HA off and no node heard from; turn HA on with an `EnableHa` event so
 * that the same rules judge the nodes' first heartbeats.
 *
 * @param incarnation unique to this creation of the group, never reused for the same name
 *   (the application derives it from the creation time and a random part); it ends every
 *   operation and timer id of the group
 */
export function newGroup(name: string, nodes: NodeId[], incarnation?: string): GroupState {
  return {
    name,
    nodes: [...nodes],
    highAvailability: false,
    epoch: 0,
    seq: 0,
    ...(incarnation === undefined ? {} : { incarnation }),
    failedOver: null,
    operation: null,
    lastOperation: null,
    autoFallback: null,
    members: nodes.map((nodeId) => ({
      nodeId,
      ...emptyFacts(),
      state: null,
      reason: null,
      downFrom: null,
      initDeadline: null,
      heardSinceInit: false,
    })),
  };
}
