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
                Item: user,
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
    return (out.Item as UserRecord | undefined) ?? null;
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
                ConditionExpression: 'homeNode = :home',
                ExpressionAttributeValues: { ':home': user.homeNode },
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
                UpdateExpression: 'SET homeNode = :new',
                ConditionExpression: 'homeNode = :old',
                ExpressionAttributeValues: { ':new': homeNode, ':old': user.homeNode },
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
