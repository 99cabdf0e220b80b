import {
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
  type TransactWriteCommandInput,
  type DocumentDb,
} from './commands';
import { ConflictError, NotFoundError } from '../../app/errors';
import type { NodeRepository } from '../../app/ports';
import type { LastHeartbeat, NodeRecord } from '../../app/records';
import type { Page, PageRequest } from '../../app/paging';
import type { OutboxRecord } from '../../app/outbox';
import { batchGet, readPage } from './paging';
import { outboxPuts, writeAudited } from './outbox';
import { allItems, cancellationReasons, isConditionFailure, type TableNames } from './client';

/** Registered nodes in DynamoDB. */
export class DynamoNodeRepository implements NodeRepository {
  constructor(
    private readonly db: DocumentDb,
    private readonly tables: TableNames,
  ) {}

  async create(node: NodeRecord, audit?: OutboxRecord): Promise<void> {
    try {
      await writeAudited(
        this.db,
        this.tables.history,
        {
          Put: {
            TableName: this.tables.nodes,
            Item: node,
            ConditionExpression: 'attribute_not_exists(nodeId)',
          },
        },
        audit,
      );
    } catch (e) {
      if (isConditionFailure(e)) {
        throw new ConflictError(
          `Node ${node.nodeId} is already registered. Rotate its token with POST /v1/nodes/${node.nodeId}/token if it was lost.`,
          'ALREADY_EXISTS',
        );
      }
      throw e;
    }
  }

  async get(nodeId: string): Promise<NodeRecord | null> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tables.nodes, Key: { nodeId }, ConsistentRead: true }),
    );
    return (out.Item as NodeRecord | undefined) ?? null;
  }

  async list(): Promise<NodeRecord[]> {
    const items = (await allItems(this.db, { TableName: this.tables.nodes })) as unknown as NodeRecord[];
    return items.sort((a, b) => a.nodeId.localeCompare(b.nodeId));
  }

  async page(request: PageRequest): Promise<Page<NodeRecord>> {
    const page = await readPage(this.db, { TableName: this.tables.nodes }, request);
    return { items: page.items as unknown as NodeRecord[], last: page.last };
  }

  async getMany(nodeIds: readonly string[]): Promise<NodeRecord[]> {
    const items = await batchGet(
      this.db,
      this.tables.nodes,
      nodeIds.map((nodeId) => ({ nodeId })),
    );
    return items as unknown as NodeRecord[];
  }

  async listByCluster(clusterId: string): Promise<NodeRecord[]> {
    return (await allItems(this.db, {
      TableName: this.tables.nodes,
      IndexName: 'byCluster',
      KeyConditionExpression: 'clusterId = :c',
      ExpressionAttributeValues: { ':c': clusterId },
    })) as unknown as NodeRecord[];
  }

  async remove(nodeId: string, audit?: OutboxRecord): Promise<void> {
    try {
      await writeAudited(
        this.db,
        this.tables.history,
        {
          Delete: {
            TableName: this.tables.nodes,
            Key: { nodeId },
            ConditionExpression:
              'attribute_exists(nodeId) AND (attribute_not_exists(#group) OR #group = :null) AND userCount = :zero',
            ExpressionAttributeNames: { '#group': 'group' },
            ExpressionAttributeValues: { ':null': null, ':zero': 0 },
          },
        },
        audit,
      );
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      const node = await this.get(nodeId);
      if (!node) throw new NotFoundError('node', nodeId);
      throw new ConflictError(
        node.group
          ? `Node ${nodeId} is in group ${node.group}; delete the group or create it without this node first.`
          : `Node ${nodeId} is the home of ${node.userCount} user(s); move or delete them first.`,
        'IN_USE',
      );
    }
  }

  /** Sets one attribute of an existing node (named through a placeholder: some names are reserved words). */
  private async set(nodeId: string, attribute: keyof NodeRecord, value: unknown): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tables.nodes,
          Key: { nodeId },
          UpdateExpression: 'SET #a = :v',
          ConditionExpression: 'attribute_exists(nodeId)',
          ExpressionAttributeNames: { '#a': attribute },
          ExpressionAttributeValues: { ':v': value },
        }),
      );
    } catch (e) {
      if (isConditionFailure(e)) throw new NotFoundError('node', nodeId);
      throw e;
    }
  }

  async rotateTokenHash(
    nodeId: string,
    group: string | null,
    tokenHash: string,
    generation: { from: number | null; to: number },
    audit?: OutboxRecord,
  ): Promise<void> {
    // The generation it was read at: of two rotations at once, the second finds it moved.
    const sameGeneration = generation.from === null ? 'attribute_not_exists(#gen)' : '#gen = :from';
    const node = {
      Update: {
        TableName: this.tables.nodes,
        Key: { nodeId },
        UpdateExpression: 'SET tokenHash = :h, #gen = :to',
        ConditionExpression: `${
          group === null
            ? 'attribute_exists(nodeId) AND (attribute_not_exists(#group) OR #group = :null)'
            : '#group = :g'
        } AND ${sameGeneration}`,
        ExpressionAttributeNames: { '#group': 'group', '#gen': 'tokenGeneration' },
        ExpressionAttributeValues: {
          ':h': tokenHash,
          ':to': generation.to,
          ...(group === null ? { ':null': null } : { ':g': group }),
          ...(generation.from === null ? {} : { ':from': generation.from }),
        },
      },
    };
    const items: NonNullable<TransactWriteCommandInput['TransactItems']> = [node];
    if (group) {
      // The group's copy, with a new version so no decision in flight writes the old one back.
      items.push({
        Update: {
          TableName: this.tables.groups,
          Key: { name: group },
          UpdateExpression: 'SET #tokens.#node = :h, #version = #version + :one',
          ConditionExpression: 'attribute_exists(#name)',
          ExpressionAttributeNames: {
            '#tokens': 'tokens',
            '#node': nodeId,
            '#version': 'version',
            '#name': 'name',
          },
          ExpressionAttributeValues: { ':h': tokenHash, ':one': 1 },
        },
      });
    }
    if (audit) items.push(...outboxPuts(this.tables.history, audit));
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (e) {
      if (!cancellationReasons(e)) throw e;
      throw new ConflictError(
        `Node ${nodeId} joined or left a group, or had its token rotated by another request, while its token was being rotated; nothing was changed. Try again, and give the agent the token of the request that succeeded.`,
        'CONCURRENT_UPDATE',
      );
    }
  }

  async setParameters(
    nodeId: string,
    parameters: NodeRecord['parameters'],
    audit?: OutboxRecord,
  ): Promise<void> {
    try {
      await writeAudited(
        this.db,
        this.tables.history,
        {
          Update: {
            TableName: this.tables.nodes,
            Key: { nodeId },
            UpdateExpression: 'SET #a = :v',
            ConditionExpression: 'attribute_exists(nodeId)',
            ExpressionAttributeNames: { '#a': 'parameters' },
            ExpressionAttributeValues: { ':v': parameters },
          },
        },
        audit,
      );
    } catch (e) {
      if (isConditionFailure(e)) throw new NotFoundError('node', nodeId);
      throw e;
    }
  }

  recordHeartbeat(nodeId: string, heartbeat: LastHeartbeat): Promise<void> {
    return this.set(nodeId, 'lastHeartbeat', heartbeat);
  }
}
