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
import { ConflictError } from './errors';
import { authenticateNode, notValidFor } from './nodeAuth';
import type { Ports } from './ports';
import type { GroupRecord } from './records';
import { hashToken, sameHash } from './tokens';

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
  private readonly onPreviousKey = new Set<string>();

  membership(nodeId: string): Membership | undefined {
    return this.members.get(nodeId);
  }

  remember(nodeId: string, record: GroupRecord): void {
    const memberIndex = record.group.members.findIndex((m) => m.nodeId === nodeId);
    if (memberIndex < 0 || !record.group.highAvailability) this.members.delete(nodeId);
    else this.members.set(nodeId, { group: record.group.name, memberIndex, clusterId: record.clusterId });
  }

  /** True the first time this function sees `nodeId` on the previous key: one warning, not one a second. */
  firstOnPreviousKey(nodeId: string): boolean {
    if (this.onPreviousKey.has(nodeId)) return false;
    this.onPreviousKey.add(nodeId);
    return true;
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
  // A forged or malformed token ends here, before any read or write (the handler has
  // already checked it before the body; checking again keeps this use case safe alone).
  const verified = await authenticateNode(ports, nodeId, token);
  if (verified.key === 'previous' && cache.firstOnPreviousKey(nodeId)) {
    ports.log.warn('A node heartbeats with a token signed by the previous node token key', {
      nodeId,
      action: `Rotate its token (POST /v1/nodes/${nodeId}/token) and give it to its agent before the previous key's grace ends, or the node will be refused.`,
    });
  }
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
  if (!sameHash(node.tokenHash, tokenHash)) {
    // A token we signed that is no longer the node's: an agent still holding a rotated one.
    ports.log.info('A node presented a token that was rotated away', {
      nodeId,
      presentedGeneration: verified.generation,
      currentGeneration: node.tokenGeneration ?? null,
    });
    throw notValidFor(nodeId);
  }
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
      incarnation: null,
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
