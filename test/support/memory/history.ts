import type { HistoryEntry } from '../../../lambdas/core';
import type { HistoryRepository, Page, PageRequest } from '../../../lambdas/app';
import { pageOf } from './paging';
import { copy, type MemoryDatabase } from './database';

/**
 * A group's history in memory, under the DynamoDB adapter's sort key: time first, then
 * the group's version and the line's position, so lines of the same millisecond keep the
 * order they were decided in, and writing the same lines again replaces them.
 */
export class MemoryHistoryRepository implements HistoryRepository {
  constructor(private readonly db: MemoryDatabase) {}

  async append(group: string, entries: HistoryEntry[], version: number): Promise<void> {
    await this.db.call('history.append');
    const lines = new Map((this.db.history.get(group) ?? []).map((line) => [line.sk, line]));
    entries.forEach((entry, i) => {
      const sk = `${entry.at}#${String(version).padStart(12, '0')}#${String(i).padStart(3, '0')}`;
      lines.set(sk, { sk, entry: copy(entry) });
    });
    this.db.history.set(
      group,
      [...lines.values()].sort((a, b) => (a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0)),
    );
  }

  /** Newest first, after the line whose sort key is `request.start.sk`. */
  async page(group: string, request: PageRequest): Promise<Page<HistoryEntry>> {
    await this.db.call('history.page');
    const page = pageOf(
      this.db.history.get(group) ?? [],
      request,
      (line) => ({ group, sk: line.sk }),
      (k) => String(k.sk),
      'descending',
    );
    return {
      items: page.items.map(({ entry }) => lineOf(entry)),
      last: page.last,
    };
  }

  /** Newest first, at most `limit`. */
  async list(group: string, limit: number): Promise<HistoryEntry[]> {
    await this.db.call('history.list');
    return (this.db.history.get(group) ?? [])
      .slice()
      .reverse()
      .slice(0, limit)
      .map(({ entry }) => lineOf(entry));
  }
}

/** A stored line as the DynamoDB adapter reads it back: its fields, `by` only when set. */
function lineOf(entry: HistoryEntry): HistoryEntry {
  const { at, nodeId, from, to, reason, cause, by } = entry;
  return { at, nodeId, from, to, reason, cause, ...(by !== undefined ? { by } : {}) };
}
