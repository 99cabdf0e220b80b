import { DeleteCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { OutboxRecord, OutboxStore } from '../../app/outbox';
import type { TableNames } from './client';
import { historyItems } from './history';

/**
 * The outbox lives in the history table, under a partition no group can have (group
 * names are letters, digits, `-` and `_`): every function that decides for a group may
 * already write there, and it needs no table, stream or grant of its own.
 */
export const OUTBOX_PARTITION = '#outbox';

/** A record not relayed within a week is dropped by TTL (the bus was down all that time). */
const OUTBOX_RETENTION_S = 7 * 86_400;

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Sort key: decision time first, so the relay reads the oldest first with one query. */
function outboxKey(record: Pick<OutboxRecord, 'at' | 'group' | 'version'>): string {
  return `${pad(record.at, 15)}#${record.group}#${pad(record.version, 12)}`;
}

/**
 * The items a decision with an outbox record adds to its group's transaction: the record,
 * and its history lines where they always go.
 */
export function outboxPuts(historyTable: string, record: OutboxRecord) {
  return [
    {
      Put: {
        TableName: historyTable,
        Item: {
          group: OUTBOX_PARTITION,
          sk: outboxKey(record),
          outboxGroup: record.group,
          version: record.version,
          at: record.at,
          events: record.events,
          history: record.history,
          expiresAt: Math.floor(record.at / 1000) + OUTBOX_RETENTION_S,
        },
      },
    },
    ...historyItems(record.group, record.history, record.version).map((Item) => ({
      Put: { TableName: historyTable, Item },
    })),
  ];
}

/** Reads and clears the outbox partition of the history table. */
export class DynamoOutboxStore implements OutboxStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tables: TableNames,
  ) {}

  async pending(writtenBefore: number, limit: number): Promise<OutboxRecord[]> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tables.history,
        KeyConditionExpression: '#group = :p AND sk < :before',
        ExpressionAttributeNames: { '#group': 'group' },
        ExpressionAttributeValues: { ':p': OUTBOX_PARTITION, ':before': pad(writtenBefore + 1, 15) },
        ConsistentRead: true,
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map((i) => ({
      group: i.outboxGroup as string,
      version: i.version as number,
      at: i.at as number,
      events: i.events as OutboxRecord['events'],
      history: i.history as OutboxRecord['history'],
    }));
  }

  async clear(record: OutboxRecord): Promise<void> {
    await this.db.send(
      new DeleteCommand({
        TableName: this.tables.history,
        Key: { group: OUTBOX_PARTITION, sk: outboxKey(record) },
      }),
    );
  }
}
