import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoHistoryRepository } from '../../../lambdas/adapters/dynamodb/history';
import { sdkDocumentDb } from '../../../lambdas/adapters/dynamodb/sdkDocumentDb';
import type { TableNames } from '../../../lambdas/adapters/dynamodb/client';
import type { HistoryEntry } from '../../../lambdas/core';

const doc = mockClient(DynamoDBDocumentClient);
// The history repository over the SDK-backed port; the mock answers for the SDK's document client.
const db = sdkDocumentDb(new DynamoDBClient({ region: 'us-east-1' }));
const tables = { history: 'history-table' } as TableNames;

const entry = (i: number): HistoryEntry => ({
  at: '2026-11-25T09:00:00.000Z',
  nodeId: 'imp-a',
  from: 'NORMAL',
  to: 'TAKING_OVER',
  reason: 'PEER_DOWN',
  cause: `line ${i}`,
});

/** The requests of a BatchWriteCommand, as DynamoDB would hand back the ones it did not write. */
const unprocessed = (n: number) => ({
  UnprocessedItems: {
    'history-table': Array.from({ length: n }, (_, i) => ({ PutRequest: { Item: { cause: `line ${i}` } } })),
  },
});

/** An instant sleep that records each wait, and a random source that plays back `draws`. */
function retry(draws: number[]) {
  const waits: number[] = [];
  let k = 0;
  return {
    waits,
    options: {
      baseMs: 50,
      capMs: 2000,
      attempts: 6,
      sleep: async (ms: number) => void waits.push(ms),
      random: () => draws[k++ % draws.length]!,
    },
  };
}

beforeEach(() => doc.reset());

describe('history writes that DynamoDB leaves unprocessed', () => {
  it('are handed in again after growing, jittered waits, and then all written', async () => {
    doc
      .on(BatchWriteCommand)
      .resolvesOnce(unprocessed(3))
      .resolvesOnce(unprocessed(2))
      .resolves({ UnprocessedItems: {} });
    const r = retry([0.5, 0.9]);
    await new DynamoHistoryRepository(db, tables, r.options).append('prg-1', [0, 1, 2].map(entry), 7);

    const calls = doc.commandCalls(BatchWriteCommand);
    expect(calls).toHaveLength(3);
    expect(calls.map((c) => c.args[0].input.RequestItems!['history-table']!.length)).toEqual([3, 3, 2]);
    // Full jitter: a random share of a ceiling that doubles from the base (50 ms, then 100 ms).
    expect(r.waits).toEqual([25, 90]);
    expect(r.waits[1]!).toBeGreaterThan(r.waits[0]!);
  });

  it('waits within [0, min(cap, base·2ⁿ)) for every draw, never longer than the cap', async () => {
    doc.on(BatchWriteCommand).resolves(unprocessed(1));
    const r = retry([0, 0.25, 0.999999]);
    const repo = new DynamoHistoryRepository(db, tables, { ...r.options, attempts: 9 });
    await expect(repo.append('prg-1', [entry(0)], 1)).rejects.toThrow();
    const ceilings = [50, 100, 200, 400, 800, 1600, 2000, 2000];
    expect(r.waits).toHaveLength(ceilings.length);
    r.waits.forEach((w, n) => {
      expect(w).toBeGreaterThanOrEqual(0);
      expect(w).toBeLessThan(ceilings[n]!);
    });
    // Each wait is the draw's share of its ceiling: the same draw later on waits longer.
    const draws = [0, 0.25, 0.999999];
    r.waits.forEach((w, n) => expect(w).toBeCloseTo(draws[n % 3]! * ceilings[n]!, 6));
    expect(r.waits[4]!).toBeGreaterThan(r.waits[1]!);
    expect(r.waits[5]!).toBeGreaterThan(r.waits[2]!);
  });

  it('gives up after its attempts and says how many lines were lost and what to look at', async () => {
    doc.on(BatchWriteCommand).resolves(unprocessed(2));
    const r = retry([0.5]);
    const repo = new DynamoHistoryRepository(db, tables, r.options);
    const error = await repo.append('prg-1', [0, 1, 2].map(entry), 4).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(doc.commandCalls(BatchWriteCommand)).toHaveLength(6);
    expect(r.waits).toHaveLength(5);
    expect(error?.message).toMatch(/2 of 3 history lines of group prg-1 were not written/);
    expect(error?.message).toMatch(/after 6 attempts/);
    expect(error?.message).toMatch(/state is saved/);
    expect(error?.message).toMatch(/ThrottledRequests/);
  });
});
