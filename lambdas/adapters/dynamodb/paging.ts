import {
  BatchGetCommand,
  QueryCommand,
  ScanCommand,
  type DocumentDb,
  type QueryCommandInput,
  type ScanCommandInput,
} from './commands';
import type { Page, PageKey, PageRequest } from '../../app/paging';

/**
 * How many Scan or Query calls one page may make. With a filter (groups by name prefix)
 * a call can match few items; the page ends short after this many calls, with a cursor,
 * rather than reading the whole table for one answer.
 */
const MAX_CALLS_PER_PAGE = 8;
/** BatchGetItem takes at most this many keys. */
const BATCH_GET_KEYS = 100;
/** Rounds of handing in the keys DynamoDB left unprocessed, each after a short random wait. */
const BATCH_GET_ROUNDS = 6;

/**
 * One page of a Query (with `KeyConditionExpression`) or a Scan: at most `limit` items
 * after `start`. `last` is DynamoDB's `LastEvaluatedKey` (the key of the last item read),
 * so the next page starts right after this one whatever was added or removed meanwhile.
 * A page may hold fewer than `limit` items (even none) and still have a next one.
 */
export async function readPage(
  db: DocumentDb,
  input: QueryCommandInput | ScanCommandInput,
  request: PageRequest,
): Promise<Page<Record<string, unknown>>> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined = request.start ?? undefined;
  for (let call = 0; call < MAX_CALLS_PER_PAGE; call++) {
    const paged = { ...input, Limit: request.limit - items.length, ExclusiveStartKey: start };
    const out = await db.send(
      'KeyConditionExpression' in input && input.KeyConditionExpression
        ? new QueryCommand(paged as QueryCommandInput)
        : new ScanCommand(paged as ScanCommandInput),
    );
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
    if (!start || items.length >= request.limit) break;
  }
  return { items, last: (start as PageKey | undefined) ?? null };
}

/** The items of these keys that exist, read with strongly consistent BatchGetItem calls. */
export async function batchGet(
  db: DocumentDb,
  table: string,
  keys: readonly Record<string, string>[],
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for (let k = 0; k < keys.length; k += BATCH_GET_KEYS) {
    let pending: Record<string, unknown>[] = keys.slice(k, k + BATCH_GET_KEYS);
    for (let round = 0; pending.length > 0; round++) {
      if (round === BATCH_GET_ROUNDS) {
        throw new Error(
          `DynamoDB left ${pending.length} keys of table ${table} unread after ${BATCH_GET_ROUNDS} batch reads: ` +
            'the table is being throttled. Retry the request; if this repeats, look at its ReadThrottleEvents metric.',
        );
      }
      // Full jitter below a ceiling that doubles from 25 ms: a throttled table gets room.
      if (round > 0) await new Promise((r) => setTimeout(r, Math.random() * 25 * 2 ** round));
      const out = await db.send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: true } } }),
      );
      items.push(...(out.Responses?.[table] ?? []));
      pending = out.UnprocessedKeys?.[table]?.Keys ?? [];
    }
  }
  return items;
}
