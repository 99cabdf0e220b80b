import {
  fenceAfterSeconds,
  heartbeatResponse,
  serviceStopSeconds,
  servicesReportedDown,
  staleBootDetail,
  type ClusterParameters,
  type HeartbeatBody,
  type HeartbeatResponse,
} from '../core';
import { applyGroupEvent } from './applyGroupEvent';
import { ConflictError, ForbiddenError, UnauthorizedError } from './errors';
import type { Ports } from './ports';
import type { GroupRecord } from './records';
import { hashToken, sameHash, tokenOwner } from './tokens';

/**
 * How long a warm function trusts what it learned about a node's group and cluster
 * parameters. A change of the timers is judged with the old ones for at least this long
 * (see `patchClusterParameters`): answers computed from the cached copy still carry them.
 */
export const HEARTBEAT_PARAMETERS_CACHE_MS = 10_000;
const CACHE_MS = HEARTBEAT_PARAMETERS_CACHE_MS;

interface Membership {
  group: string;
  memberIndex: number;
  clusterId: string;
}

/**
 * What a warm function remembers between heartbeats, so that a steady heartbeat needs no
 * read: which group a node is in (verified again by the write's own condition) and the
 * cluster parameters (at most {@link CACHE_MS} old; a change reaches every heartbeat
 * within that, and the sweep and every other decision always read them fresh).
 */
export class HeartbeatCache {
  private readonly members = new Map<string, Membership>();
  private readonly params = new Map<string, { value: ClusterParameters; until: number }>();

  membership(nodeId: string): Membership | undefined {
    return this.members.get(nodeId);
  }

  remember(nodeId: string, record: GroupRecord): void {
    const memberIndex = record.group.members.findIndex((m) => m.nodeId === nodeId);
    if (memberIndex < 0 || !record.group.highAvailability) this.members.delete(nodeId);
    else this.members.set(nodeId, { group: record.group.name, memberIndex, clusterId: record.clusterId });
  }

  async parameters(ports: Ports, clusterId: string): Promise<ClusterParameters> {
    const now = ports.clock.now();
    const hit = this.params.get(clusterId);
    if (hit && hit.until > now) return hit.value;
    const value = await ports.settings.clusterParameters(clusterId);
    this.params.set(clusterId, { value, until: now + CACHE_MS });
    return value;
  }
}

/**
 * A node's heartbeat (docs/heartbeat-protocol.md). The steady case is one conditional write with no read;
 * anything else — a fault, a restart, a silent peer, a due timer, a cold function — goes
 * through the state machine, which also notices the peer's silence without waiting for
 * the sweep.
 */
export async function heartbeat(
  ports: Ports,
  cache: HeartbeatCache,
  nodeId: string,
  token: string,
  body: HeartbeatBody,
): Promise<HeartbeatResponse> {
  const tokenHash = hashToken(token);
  const known = cache.membership(nodeId);
  if (known) {
    const params = await cache.parameters(ports, known.clusterId);
    const out = await ports.groups.steadyHeartbeat({
      group: known.group,
      memberIndex: known.memberIndex,
      nodeId,
      tokenHash,
      heartbeat: body,
      servicesDown: servicesReportedDown(body, params),
      now: ports.clock.now(),
      params,
    });
    if (out.written) return heartbeatResponse(out.record.group, nodeId, params, ports.clock.now());
  }
  const node = await ports.nodes.get(nodeId);
  // An unknown node and a wrong token are refused alike, so that node ids cannot be
  // found out without credentials. A refused token leaves the cache alone: a forger must
  // not push the real node's next heartbeat off the one-write path.
  if (!node) throw notValidFor(nodeId);
  if (!sameHash(node.tokenHash, tokenHash)) await refuseToken(ports, nodeId, token, tokenHash);
  if (!node.group) {
    const params = await cache.parameters(ports, node.clusterId);
    const last = node.lastHeartbeat?.body;
    // The facts kept for a node outside any group seed its group's member later: an older
    // boot must not overwrite them any more than it may touch a member.
    if (last && typeof last.boot === 'number' && body.boot < last.boot) {
      const what = `older than boot ${last.boot} already heard`;
      throw new ConflictError(staleBootDetail(nodeId, body.boot, what, last.boot), 'STALE_BOOT');
    }
    await ports.nodes.recordHeartbeat(nodeId, { at: ports.clock.now(), body });
    return {
      group: null,
      state: null,
      reason: null,
      epoch: 0,
      serviceOrder: 'leave',
      nextHeartbeatSeconds: params.keepAliveInterval,
      keepAliveTimeoutSeconds: params.keepAliveTimeout,
      fenceAfterSeconds: fenceAfterSeconds(params),
      serviceStopSeconds: serviceStopSeconds(params),
    };
  }
  const { record, params } = await applyGroupEvent(ports, node.group, {
    type: 'Heartbeat',
    nodeId,
    heartbeat: body,
  });
  cache.remember(nodeId, record);
  return heartbeatResponse(record.group, nodeId, params, ports.clock.now());
}

/** 403 when the token is another node's own valid token, 401 for any other bad token. */
async function refuseToken(ports: Ports, nodeId: string, token: string, tokenHash: string): Promise<never> {
  const owner = tokenOwner(token);
  if (owner !== null && owner !== nodeId) {
    const other = await ports.nodes.get(owner);
    if (other && sameHash(other.tokenHash, tokenHash)) {
      throw new ForbiddenError(`This token belongs to node ${owner}; node ${nodeId} must use its own token.`);
    }
  }
  throw notValidFor(nodeId);
}

/** The one refusal for a token that does not open this node, whether or not the node exists. */
function notValidFor(nodeId: string): UnauthorizedError {
  return new UnauthorizedError(
    `The token is not valid for node ${nodeId}. If the node is registered, its token was rotated or mistyped: rotate it with POST /v1/nodes/${nodeId}/token and give the new one to its agent; otherwise register the node with POST /v1/nodes.`,
  );
}
