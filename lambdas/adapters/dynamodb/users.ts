import {
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../app/errors';
import type { UserRepository } from '../../app/ports';
import type { UserRecord } from '../../app/records';
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
    private readonly db: DynamoDBDocumentClient,
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

  async create(user: UserRecord): Promise<void> {
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
            ...(user.homeNode ? [this.count(user.homeNode, 1)] : []),
          ],
        }),
      );
    } catch (e) {
      const reasons = cancellationReasons(e);
      if (reasons?.[0] === 'ConditionalCheckFailed') {
        throw new ConflictError(`User ${user.userId} already exists.`, 'ALREADY_EXISTS');
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

  async remove(user: UserRecord): Promise<void> {
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

  async setHome(user: UserRecord, homeNode: string | null): Promise<void> {
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
