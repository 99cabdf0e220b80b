import type { NodeId } from '../schemas/identifiers';
import type { GroupState } from '../types';
import { emptyFacts } from './health';

/**
 * A new group with HA off and no node heard from; turn HA on with an `EnableHa` event so
 * that the same rules judge the nodes' first heartbeats.
 */
export function newGroup(name: string, nodes: NodeId[]): GroupState {
  return {
    name,
    nodes: [...nodes],
    highAvailability: false,
    epoch: 0,
    seq: 0,
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
