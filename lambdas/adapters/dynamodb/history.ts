import { BatchWriteCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { HistoryEntry } from '../../core';
import type { HistoryRepository } from '../../app/ports';
import type { TableNames } from './client';

/** How long history is kept before DynamoDB's TTL removes it. */
const RETENTION_DAYS = 400;
/** DynamoDB's limit of items in one batch write. */
const BATCH = 25;

/** A group's history, sorted by time so one query returns it newest first. */
export class DynamoHistoryRepository implements HistoryRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: TableNames,
  ) {}

  async append(group: string, entries: HistoryEntry[], version: number): Promise<void> {
    const items = entries.map((entry, i) => ({
      group,
      // Time first for the order; the group's version and the line's position keep two
      // transitions of the same millisecond apart and in the order they were decided.
      sk: `${entry.at}#${String(version).padStart(12, '0')}#${String(i).padStart(3, '0')}`,
      ...entry,
      expiresAt: Math.floor(Date.parse(entry.at) / 1000) + RETENTION_DAYS * 86_400,
    }));
    for (let k = 0; k < items.length; k += BATCH) {
      let pending = items.slice(k, k + BATCH).map((Item) => ({ PutRequest: { Item } }));
      // Unprocessed items come back under load; hand them in again until all are written.
      for (let attempt = 0; pending.length > 0 && attempt < 5; attempt++) {
        const out = await this.db.send(
          new BatchWriteCommand({ RequestItems: { [this.tables.history]: pending } }),
        );
        pending = (out.UnprocessedItems?.[this.tables.history] ?? []) as typeof pending;
      }
      if (pending.length > 0)
        throw new Error(`${pending.length} history line(s) of group ${group} could not be written`);
    }
  }

  async list(group: string, limit: number): Promise<HistoryEntry[]> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tables.history,
        KeyConditionExpression: '#group = :g',
        ExpressionAttributeNames: { '#group': 'group' },
        ExpressionAttributeValues: { ':g': group },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map((i) => ({
      at: i.at,
      nodeId: i.nodeId,
      from: i.from,
      to: i.to,
      reason: i.reason,
      cause: i.cause,
    }));
  }
}
