import { BatchWriteCommand, QueryCommand, type DocumentDb } from './commands';
import type { HistoryEntry } from '../../core';
import type { HistoryRepository } from '../../app/ports';
import type { TableNames } from './client';
import type { Page, PageRequest } from '../../app/paging';
import { readPage } from './paging';

/** How long history is kept before DynamoDB's TTL removes it. */
const RETENTION_DAYS = 400;
/** DynamoDB's limit of items in one batch write. */
const BATCH = 25;

/**
 * How a batch write hands in again the items DynamoDB left unprocessed: the table (or the
 * group's partition) is throttled, so handing them straight back would only be refused
 * again. Each retry waits a random time below a ceiling that doubles from `baseMs` up to
 * `capMs` ("full jitter"), which spreads out the retries of concurrent writers.
 */
export interface HistoryRetry {
  /** The first retry's ceiling, in milliseconds. */
  baseMs: number;
  /** No wait is longer than this, in milliseconds. */
  capMs: number;
  /** Batch writes in all, the first one included. */
  attempts: number;
  sleep: (ms: number) => Promise<void>;
  /** A number in [0, 1), as Math.random gives. */
  random: () => number;
}

/**
 * At most 5 retries, so at most 50 + 100 + 200 + 400 + 800 ms of waiting: well inside the
 * shortest function timeout (the heartbeat's 5 s), whose answer would otherwise be lost.
 */
export const DEFAULT_HISTORY_RETRY: HistoryRetry = {
  baseMs: 50,
  capMs: 2000,
  attempts: 6,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/**
 * The stored items of a decision's history lines: also written by the group repository,
 * in the transaction of the decision, when the ports keep an outbox.
 */
export function historyItems(group: string, entries: HistoryEntry[], version: number) {
  return entries.map((entry, i) => ({
    group,
    // Time first for the order; the group's version and the line's position keep two
    // transitions of the same millisecond apart and in the order they were decided.
    sk: `${entry.at}#${String(version).padStart(12, '0')}#${String(i).padStart(3, '0')}`,
    ...entry,
    expiresAt: Math.floor(Date.parse(entry.at) / 1000) + RETENTION_DAYS * 86_400,
  }));
}

/** A group's history, sorted by time so one query returns it newest first. */
export class DynamoHistoryRepository implements HistoryRepository {
  constructor(
    private readonly db: DocumentDb,
    private readonly tables: TableNames,
    private readonly retry: HistoryRetry = DEFAULT_HISTORY_RETRY,
  ) {}

  async append(group: string, entries: HistoryEntry[], version: number): Promise<void> {
    const items = historyItems(group, entries, version);
    const { baseMs, capMs, attempts, sleep, random } = this.retry;
    let lost = 0;
    for (let k = 0; k < items.length; k += BATCH) {
      let pending = items.slice(k, k + BATCH).map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; pending.length > 0 && attempt < attempts; attempt++) {
        if (attempt > 0) await sleep(random() * Math.min(capMs, baseMs * 2 ** (attempt - 1)));
        const out = await this.db.send(
          new BatchWriteCommand({ RequestItems: { [this.tables.history]: pending } }),
        );
        pending = (out.UnprocessedItems?.[this.tables.history] ?? []) as typeof pending;
      }
      lost += pending.length;
    }
    if (lost > 0) {
      throw new Error(
        `${lost} of ${items.length} history lines of group ${group} were not written: DynamoDB ` +
          `still returned them unprocessed after ${attempts} attempts, so the history table is being throttled. ` +
          "The group's state is saved; only these lines are missing from its history. " +
          "If this repeats, look at the history table's ThrottledRequests and WriteThrottleEvents metrics.",
      );
    }
  }

  async page(group: string, request: PageRequest): Promise<Page<HistoryEntry>> {
    const page = await readPage(
      this.db,
      {
        TableName: this.tables.history,
        KeyConditionExpression: '#group = :g',
        ExpressionAttributeNames: { '#group': 'group' },
        ExpressionAttributeValues: { ':g': group },
        ScanIndexForward: false,
      },
      request,
    );
    return {
      items: page.items.map((i) => ({
        at: i.at as string,
        nodeId: i.nodeId as string,
        from: i.from as HistoryEntry['from'],
        to: i.to as HistoryEntry['to'],
        reason: i.reason as HistoryEntry['reason'],
        cause: i.cause as string,
        ...(typeof i.by === 'string' ? { by: i.by } : {}),
      })),
      last: page.last,
    };
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
      ...(typeof i.by === 'string' ? { by: i.by } : {}),
    }));
  }
}
