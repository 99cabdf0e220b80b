import {
  DeleteCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DocumentDb,
  type TransactWriteCommandInput,
} from './commands';
import { ConflictError } from '../../app/errors';
import { outboxEventId, type OutboxRecord, type OutboxStore } from '../../app/outbox';
import { cancellationReasons, type TableNames } from './client';
import { historyItems } from './history';

/**
 * The outbox lives in the history table, under a partition no group can have (group
 * names are letters, digits, `-` and `_`): every function that decides for a group may
 * already write there, and it needs no table, stream or grant of its own.
 */
export const OUTBOX_PARTITION = '#outbox';

/**
 * Admin actions (app/audit.ts) are also kept, one item per action, under this partition of
 * the history table, newest last: the durable "who did what" of actions that belong to no
 * group, which an auditor reads with one query (`group = "#audit"`) after the bus's
 * subscribers have forgotten the event.
 */
export const AUDIT_PARTITION = '#audit';

/** As long as a group's history lines. */
const AUDIT_RETENTION_S = 400 * 86_400;

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
    ...record.events.flatMap((event, i) => {
      if (event.detailType !== 'AdminAction') return [];
      const eventId = outboxEventId(record.group, record.version, i);
      return [
        {
          Put: {
            TableName: historyTable,
            Item: {
              ...event,
              group: AUDIT_PARTITION,
              sk: `${event.at}#${eventId}`,
              action: event.action,
              subjectGroup: event.group ?? null,
              eventId,
              expiresAt: Math.floor(record.at / 1000) + AUDIT_RETENTION_S,
            },
          },
        },
      ];
    }),
  ];
}

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * Sends one write (a Put, Update or Delete as a transaction item) on its own, or, with an
 * admin action's record, in one transaction with it: the action is stored with its record
 * or not at all. A failed condition surfaces as ConditionalCheckFailedException either
 * way, so the caller maps it as it always did; a transaction in the way (another request
 * writing the same item at that moment) is a 409 CONCURRENT_UPDATE.
 */
export async function writeAudited(
  db: DocumentDb,
  historyTable: string,
  item: TransactItem,
  audit?: OutboxRecord,
): Promise<void> {
  if (!audit) {
    if (item.Put) await db.send(new PutCommand(item.Put));
    else if (item.Update) await db.send(new UpdateCommand(item.Update));
    else if (item.Delete) await db.send(new DeleteCommand(item.Delete));
    else throw new Error('writeAudited takes a Put, an Update or a Delete');
    return;
  }
  try {
    await db.send(new TransactWriteCommand({ TransactItems: [item, ...outboxPuts(historyTable, audit)] }));
  } catch (e) {
    const reasons = cancellationReasons(e);
    if (reasons?.[0] === 'ConditionalCheckFailed') {
      const failure = new Error('The condition of the write failed.');
      failure.name = 'ConditionalCheckFailedException';
      throw failure;
    }
    if (reasons?.includes('TransactionConflict')) {
      // Another request was writing the same item at that moment: it wins, this one changed nothing.
      throw new ConflictError(
        'Another request changed the same thing at the same moment; nothing was changed. Read it again and retry.',
        'CONCURRENT_UPDATE',
      );
    }
    throw e;
  }
}

/** Reads and clears the outbox partition of the history table. */
export class DynamoOutboxStore implements OutboxStore {
  constructor(
    private readonly db: DocumentDb,
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

  async add(record: OutboxRecord): Promise<void> {
    await this.db.send(new TransactWriteCommand({ TransactItems: outboxPuts(this.tables.history, record) }));
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
