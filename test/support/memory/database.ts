import type { ClusterParameters, HistoryEntry } from '../../../lambdas/core';
import type { EnterpriseRecord, GroupRecord, NodeRecord, UserRecord } from '../../../lambdas/app';

/**
 * A group as the DynamoDB adapter stores it: the record, and the sweep's index keys. As
 * in the table, `swept` (the item's sweep shard) is set only by a full write whose index
 * has a deadline; the steady heartbeat moves `silentAt` without touching it.
 */
export interface StoredGroup {
  record: GroupRecord;
  timerDueAt: number | null;
  silentAt: number | null;
  swept: boolean;
}

/** One line of a group's history under the adapter's sort key (`at#version#position`). */
export interface StoredHistoryLine {
  sk: string;
  entry: HistoryEntry;
}

/**
 * The tables of the stack, in memory. Every fake reads and writes copies, as a database
 * does: nothing a use case holds aliases what is stored.
 */
export class MemoryDatabase {
  readonly groups = new Map<string, StoredGroup>();
  readonly nodes = new Map<string, NodeRecord>();
  readonly users = new Map<string, UserRecord>();
  readonly clusterParameters = new Map<string, { parameters: ClusterParameters; version: number }>();
  enterprise: EnterpriseRecord | null = null;
  readonly history = new Map<string, StoredHistoryLine[]>();
  /** Every operation asked of the tables, as `table.operation`: the cost of a request. */
  readonly calls: string[] = [];

  /** Records the operation, then lets other requests run, as a network round trip would. */
  async call(operation: string): Promise<void> {
    this.calls.push(operation);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export const copy = <T>(value: T): T => structuredClone(value);
