import {
  ConflictError,
  NotFoundError,
  type LastHeartbeat,
  type NodeRecord,
  type NodeRepository,
  type Page,
  type PageRequest,
} from '../../../lambdas/app';
import { copy, type MemoryDatabase } from './database';
import { pageOf } from './paging';

/** Registered nodes in memory, with the DynamoDB adapter's conditions and transactions. */
export class MemoryNodeRepository implements NodeRepository {
  /** Runs after a node is read and before the reader gets it (see the groups' `afterGet`). */
  afterGet: ((nodeId: string) => Promise<void>) | null = null;

  constructor(private readonly db: MemoryDatabase) {}

  async create(node: NodeRecord): Promise<void> {
    await this.db.call('nodes.create');
    if (this.db.nodes.has(node.nodeId)) {
      throw new ConflictError(
        `Node ${node.nodeId} is already registered. Rotate its token with POST /v1/nodes/${node.nodeId}/token if it was lost.`,
        'ALREADY_EXISTS',
      );
    }
    this.db.nodes.set(node.nodeId, copy(node));
  }

  async get(nodeId: string): Promise<NodeRecord | null> {
    await this.db.call('nodes.get');
    const node = this.db.nodes.get(nodeId);
    const read = node ? copy(node) : null;
    if (this.afterGet) await this.afterGet(nodeId);
    return read;
  }

  async list(): Promise<NodeRecord[]> {
    await this.db.call('nodes.list');
    return [...this.db.nodes.values()].map(copy).sort((a, b) => a.nodeId.localeCompare(b.nodeId));
  }

  async page(request: PageRequest): Promise<Page<NodeRecord>> {
    await this.db.call('nodes.page');
    const page = pageOf(
      [...this.db.nodes.values()],
      request,
      (n) => ({ nodeId: n.nodeId }),
      (k) => String(k.nodeId),
    );
    return { items: page.items.map(copy), last: page.last };
  }

  async getMany(nodeIds: readonly string[]): Promise<NodeRecord[]> {
    await this.db.call('nodes.getMany');
    return nodeIds.flatMap((id) => {
      const node = this.db.nodes.get(id);
      return node ? [copy(node)] : [];
    });
  }

  async listByCluster(clusterId: string): Promise<NodeRecord[]> {
    await this.db.call('nodes.listByCluster');
    return [...this.db.nodes.values()].filter((n) => n.clusterId === clusterId).map(copy);
  }

  async remove(nodeId: string): Promise<void> {
    await this.db.call('nodes.remove');
    const node = this.db.nodes.get(nodeId);
    if (!node) throw new NotFoundError('node', nodeId);
    if (node.group !== null || node.userCount !== 0) {
      throw new ConflictError(
        node.group
          ? `Node ${nodeId} is in group ${node.group}; delete the group or create it without this node first.`
          : `Node ${nodeId} is the home of ${node.userCount} user(s); move or delete them first.`,
        'IN_USE',
      );
    }
    this.db.nodes.delete(nodeId);
  }

  async rotateTokenHash(
    nodeId: string,
    group: string | null,
    tokenHash: string,
    generation: { from: number | null; to: number },
  ): Promise<void> {
    await this.db.call('nodes.rotateTokenHash');
    const node = this.db.nodes.get(nodeId);
    const stored = group === null ? undefined : this.db.groups.get(group);
    const asRead =
      node !== undefined && node.group === group && (node.tokenGeneration ?? null) === generation.from;
    if (!asRead || (group !== null && !stored)) {
      throw new ConflictError(
        `Node ${nodeId} joined or left a group, or had its token rotated by another request, while its token was being rotated; nothing was changed. Try again.`,
        'CONCURRENT_UPDATE',
      );
    }
    node.tokenHash = tokenHash;
    node.tokenGeneration = generation.to;
    if (stored) {
      // The group's copy, with a new version so no decision in flight writes the old one back.
      stored.record = {
        ...stored.record,
        tokens: { ...stored.record.tokens, [nodeId]: tokenHash },
        version: stored.record.version + 1,
      };
    }
  }

  async setParameters(nodeId: string, parameters: NodeRecord['parameters']): Promise<void> {
    await this.db.call('nodes.setParameters');
    this.existing(nodeId).parameters = copy(parameters);
  }

  async recordHeartbeat(nodeId: string, heartbeat: LastHeartbeat): Promise<void> {
    await this.db.call('nodes.recordHeartbeat');
    this.existing(nodeId).lastHeartbeat = copy(heartbeat);
  }

  private existing(nodeId: string): NodeRecord {
    const node = this.db.nodes.get(nodeId);
    if (!node) throw new NotFoundError('node', nodeId);
    return node;
  }
}
