import { fenceAfterSeconds, serviceStopSeconds, type ClusterParameters } from '../schemas/parameters';
import type { NodeId } from '../schemas/identifiers';
import type { GroupState, Member, ServiceOrder } from '../types';
import { NODE_STATES, stateLabel, type NodeStateCode } from '../catalogue/states';
import { reasonLabel, type ReasonCode } from '../catalogue/reasons';
import { describePair } from '../catalogue/table2';
import { serviceOrder } from './serviceOrder';
import { legacyAgent } from './acknowledgement';

/** What a heartbeat is answered with (docs/heartbeat-protocol.md). */
export interface HeartbeatResponse {
  group: string | null;
  /**
   * Names this creation of the group (null outside an HA group, or for a group made
   * before incarnations existed). The agent sends it back with the epoch in `heard`, so
   * that an epoch of a deleted group of the same name never counts.
   */
  incarnation: string | null;
  state: NodeStateCode | null;
  reason: ReasonCode | null;
  epoch: number;
  serviceOrder: ServiceOrder;
  nextHeartbeatSeconds: number;
  /** The cluster's keepAliveTimeout: after this long unanswered the node's services must be stopped. */
  keepAliveTimeoutSeconds: number;
  /**
   * When the agent must begin stopping its services, in seconds after sending its last
   * answered heartbeat: keepAliveTimeout less the stop time and the clock slack
   * (docs/safety.md).
   */
  fenceAfterSeconds: number;
  /** The cluster's serviceStopSeconds: how long the node's stop of its services may take. */
  serviceStopSeconds: number;
}

/** Peers whose silence the heartbeat does not watch: already shown lost, or still starting. */
const UNWATCHED_PEER_STATES: ReadonlySet<NodeStateCode> = new Set<NodeStateCode>([
  'DOWN',
  'UNKNOWN',
  'INITIALIZING',
]);

/** How long after the peer's deadline the node comes back: late enough to find it passed. */
const AFTER_DEADLINE_MS = 250;

/**
 * When the node should send its next heartbeat, in seconds: the interval, unless its
 * peer's heartbeat will count as lost before then. Then the node comes back just after
 * that moment, so the peer's silence is judged within keepAliveTimeout (plus this margin
 * and the network) instead of up to a whole interval later or at the next sweep. It
 * costs extra heartbeats only while the peer is already late.
 */
export function nextHeartbeatSeconds(
  group: GroupState,
  nodeId: NodeId,
  now: number,
  params: ClusterParameters,
): number {
  const interval = params.keepAliveInterval;
  const member = group.members.find((x) => x.nodeId === nodeId);
  const peer = group.members.find((x) => x.nodeId !== nodeId);
  if (!group.highAvailability || !member || !peer || peer.lastHeartbeatAt === null) return interval;
  if (peer.state === null || UNWATCHED_PEER_STATES.has(peer.state)) return interval;
  // The first moment at which the peer's silence counts as lost (see isSilent).
  const lostAt =
    Math.max(peer.lastHeartbeatAt, member.heardSince ?? peer.lastHeartbeatAt) +
    params.keepAliveTimeout * 1000 +
    1;
  const untilLost = lostAt - now;
  if (untilLost <= 0 || untilLost + AFTER_DEADLINE_MS >= interval * 1000) return interval;
  return Math.ceil((untilLost + AFTER_DEADLINE_MS) / 100) / 10;
}

/** The answer to a node's heartbeat, from the group as it stands after the heartbeat at `now`. */
export function heartbeatResponse(
  group: GroupState,
  nodeId: NodeId,
  params: ClusterParameters,
  now: number,
): HeartbeatResponse {
  const member = group.members.find((x) => x.nodeId === nodeId);
  const managed = group.highAvailability && member !== undefined && member.state !== null;
  return {
    group: managed ? group.name : null,
    incarnation: managed ? (group.incarnation ?? null) : null,
    state: managed ? member.state : null,
    reason: managed ? member.reason : null,
    epoch: group.epoch,
    serviceOrder: member ? serviceOrder(group, member) : 'leave',
    nextHeartbeatSeconds: nextHeartbeatSeconds(group, nodeId, now, params),
    ...fenceTimers(params),
  };
}

/** The self-fencing timers an answer carries, from the cluster's current parameters. */
function fenceTimers(
  params: ClusterParameters,
): Pick<HeartbeatResponse, 'keepAliveTimeoutSeconds' | 'fenceAfterSeconds' | 'serviceStopSeconds'> {
  return {
    keepAliveTimeoutSeconds: params.keepAliveTimeout,
    fenceAfterSeconds: fenceAfterSeconds(params),
    serviceStopSeconds: serviceStopSeconds(params),
  };
}

/** One node as the group view (`GET /v1/groups/{name}`) shows it. */
export interface NodeView {
  nodeId: NodeId;
  state: NodeStateCode | null;
  stateLabel: string | null;
  reason: ReasonCode | null;
  reasonLabel: string | null;
  cause: string | null;
  recommendedActions: string[];
  lastHeartbeatAt: string | null;
  services: Member['services'];
  database: Member['database'];
  serviceOrder: ServiceOrder;
  /**
   * Whether the node's agent acknowledges the answers it hears (sends `heard`); false: its
   * agent predates the acknowledgement and should be upgraded (docs/runbooks.md,
   * "Upgrading to the acknowledgement"); null: never heard from.
   */
  agentAcknowledges: boolean | null;
}

/** Each node of a group with labels, cause and the recommended actions of its Table 2 row. */
export function nodeViews(group: GroupState): NodeView[] {
  return group.members.map((member) => {
    const peer = group.members.find((x) => x.nodeId !== member.nodeId);
    let cause: string | null = null;
    let recommendedActions: string[] = [];
    if (member.state !== null && member.reason !== null) {
      if (peer?.state && peer.reason) {
        const described = describePair(
          { nodeId: member.nodeId, state: member.state, reason: member.reason },
          { nodeId: peer.nodeId, state: peer.state, reason: peer.reason },
          (s) => NODE_STATES[s].description,
          group.name,
        );
        cause = described.cause;
        recommendedActions = described.recommendedActions;
      } else {
        cause = NODE_STATES[member.state].description;
      }
    }
    return {
      nodeId: member.nodeId,
      state: member.state,
      stateLabel: member.state ? stateLabel(member.state) : null,
      reason: member.reason,
      reasonLabel: member.reason ? reasonLabel(member.reason) : null,
      cause,
      recommendedActions,
      lastHeartbeatAt:
        member.lastHeartbeatAt === null ? null : new Date(member.lastHeartbeatAt).toISOString(),
      services: member.services,
      database: member.database,
      serviceOrder: serviceOrder(group, member),
      agentAcknowledges: member.lastHeartbeatAt === null ? null : !legacyAgent(member),
    };
  });
}
