import { GetCommand, QueryCommand, TransactWriteCommand, type DocumentDb } from './commands';
import { ConflictError } from '../../app/errors';
import type { UserAdmission, UserRepository } from '../../app/ports';
import type { UserRecord } from '../../app/records';
import type { Page, PageRequest } from '../../app/paging';
import type { OutboxRecord } from '../../app/outbox';
import { batchGet, readPage } from './paging';
import { outboxPuts } from './outbox';
import { cancellationReasons, type TableNames } from './client';

/**
 * A user without a home node is stored without the attribute: `homeNode` keys the
 * `byHomeNode` index, which takes no null (and so leaves such users out, as it should).
 */
function toItem(user: UserRecord): Record<string, unknown> {
  const { homeNode, ...rest } = user;
  return homeNode === null ? rest : { ...rest, homeNode };
}

function fromItem(item: Record<string, unknown>): UserRecord {
  return {
    ...(item as Omit<UserRecord, 'homeNode'>),
    homeNode: (item.homeNode as string | undefined) ?? null,
  };
}

/** The condition that the stored home node is still `home`. */
function homeIs(home: string | null): {
  ConditionExpression: string;
  ExpressionAttributeValues?: Record<string, unknown>;
} {
  return home === null
    ? { ConditionExpression: 'attribute_exists(userId) AND attribute_not_exists(homeNode)' }
    : { ConditionExpression: 'homeNode = :old', ExpressionAttributeValues: { ':old': home } };
}

/** Moves the home from `from` to `to`, either of which may be none. */
function updateHome(from: string | null, to: string | null) {
  const condition = homeIs(from);
  const values = { ...condition.ExpressionAttributeValues, ...(to === null ? {} : { ':new': to }) };
  return {
    UpdateExpression: to === null ? 'REMOVE homeNode' : 'SET homeNode = :new',
    ConditionExpression: condition.ConditionExpression,
    ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
  };
}

/** Users in DynamoDB; every change of a home node moves the node counts in the same transaction. */
export class DynamoUserRepository implements UserRepository {
  constructor(
    private readonly db: DocumentDb,
    private readonly tables: TableNames,
  ) {}

  private count(nodeId: string, delta: number) {
    return {
      Update: {
        TableName: this.tables.nodes,
        Key: { nodeId },
        UpdateExpression: 'ADD userCount :d',
        ConditionExpression: 'attribute_exists(nodeId)',
        ExpressionAttributeValues: { ':d': delta },
      },
    };
  }

  /**
   * The core's `inFailoverState` stated on a group item: high availability on, and a node
   * failed over or a workflow moving users. A group deleted meanwhile passes.
   */
  private notInFailover(group: string) {
    return {
      ConditionCheck: {
        TableName: this.tables.groups,
        Key: { name: group },
        ConditionExpression:
          'attribute_not_exists(#name) OR NOT (#g.#ha = :true) OR ' +
          '((attribute_not_exists(#g.#failedOver) OR attribute_type(#g.#failedOver, :NULL)) AND ' +
          '(attribute_not_exists(#g.#op) OR attribute_type(#g.#op, :NULL)))',
        ExpressionAttributeNames: {
          '#name': 'name',
          '#g': 'g',
          '#ha': 'highAvailability',
          '#failedOver': 'failedOver',
          '#op': 'operation',
        },
        ExpressionAttributeValues: { ':true': true, ':NULL': 'NULL' },
      },
    };
  }

  async create(user: UserRecord, admission: UserAdmission, audit?: OutboxRecord): Promise<void> {
    const counted = user.homeNode ? [this.count(user.homeNode, 1)] : [];
    const recorded = audit ? outboxPuts(this.tables.history, audit) : [];
    // DynamoDB takes at most 100 items in a transaction: the user, its count, the groups, its record.
    if (admission.groups.length > 100 - 1 - counted.length - recorded.length) {
      throw new ConflictError(
        `Cluster ${user.clusterId} has ${admission.groups.length} groups, more than one write can check for a failover; a user cannot be added safely.`,
        'FAILOVER_IN_PROGRESS',
      );
    }
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tables.users,
                Item: toItem(user),
                ConditionExpression: 'attribute_not_exists(userId)',
              },
            },
            ...counted,
            ...admission.groups.map((group) => this.notInFailover(group)),
            ...recorded,
          ],
        }),
      );
    } catch (e) {
      const reasons = cancellationReasons(e);
      if (reasons?.[0] === 'ConditionalCheckFailed') {
        throw new ConflictError(`User ${user.userId} already exists.`, 'ALREADY_EXISTS');
      }
      const failing = admission.groups.find(
        (_, i) => reasons?.[1 + counted.length + i] === 'ConditionalCheckFailed',
      );
      if (failing) {
        throw new ConflictError(
          `Users cannot be added to cluster ${user.clusterId} while group ${failing} is failed over; it started failing over while this user was being added, and the user was not added. Fall back first.`,
          'FAILOVER_IN_PROGRESS',
        );
      }
      if (reasons)
        throw new ConflictError(
          `Node ${user.homeNode} was deleted meanwhile; try again.`,
          'CONCURRENT_UPDATE',
        );
      throw e;
    }
  }

  async get(userId: string): Promise<UserRecord | null> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tables.users, Key: { userId }, ConsistentRead: true }),
    );
    return out.Item ? fromItem(out.Item) : null;
  }

  async remove(user: UserRecord, audit?: OutboxRecord): Promise<void> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: this.tables.users,
                Key: { userId: user.userId },
                ...homeIs(user.homeNode),
              },
            },
            ...(user.homeNode ? [this.count(user.homeNode, -1)] : []),
            ...(audit ? outboxPuts(this.tables.history, audit) : []),
          ],
        }),
      );
    } catch (e) {
      if (cancellationReasons(e)) {
        throw new ConflictError(
          `User ${user.userId} changed meanwhile; nothing was deleted. Try again.`,
          'CONCURRENT_UPDATE',
        );
      }
      throw e;
    }
  }

  async setHome(user: UserRecord, homeNode: string | null, audit?: OutboxRecord): Promise<void> {
    if (user.homeNode === homeNode) return;
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tables.users,
                Key: { userId: user.userId },
                ...updateHome(user.homeNode, homeNode),
              },
            },
            ...(user.homeNode ? [this.count(user.homeNode, -1)] : []),
            ...(homeNode ? [this.count(homeNode, 1)] : []),
            ...(audit ? outboxPuts(this.tables.history, audit) : []),
          ],
        }),
      );
    } catch (e) {
      if (cancellationReasons(e)) {
        throw new ConflictError(
          `User ${user.userId} changed meanwhile; nothing was moved. Try again.`,
          'CONCURRENT_UPDATE',
        );
      }
      throw e;
    }
  }

  async page(filter: { homeNode?: string }, request: PageRequest): Promise<Page<UserRecord>> {
    if (filter.homeNode === undefined) {
      const page = await readPage(this.db, { TableName: this.tables.users }, request);
      return { items: page.items.map(fromItem), last: page.last };
    }
    // The index holds keys only: read the page's users in one batch, in the index's order.
    const page = await readPage(
      this.db,
      {
        TableName: this.tables.users,
        IndexName: 'byHomeNode',
        KeyConditionExpression: 'homeNode = :n',
        ExpressionAttributeValues: { ':n': filter.homeNode },
      },
      request,
    );
    const ids = page.items.map((i) => i.userId as string);
    const byId = new Map(
      (
        await batchGet(
          this.db,
          this.tables.users,
          ids.map((userId) => ({ userId })),
        )
      ).map((i) => [i.userId as string, fromItem(i)]),
    );
    // A user deleted between the two reads is left out.
    const items = ids.flatMap((id) => {
      const user = byId.get(id);
      return user ? [user] : [];
    });
    return { items, last: page.last };
  }

  async listByHome(nodeId: string, limit: number): Promise<string[]> {
    if (limit <= 0) return [];
    const ids: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tables.users,
          IndexName: 'byHomeNode',
          KeyConditionExpression: 'homeNode = :n',
          ExpressionAttributeValues: { ':n': nodeId },
          Limit: limit - ids.length,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) ids.push(item.userId as string);
      start = page.LastEvaluatedKey;
    } while (start && ids.length < limit);
    return ids;
  }
}
