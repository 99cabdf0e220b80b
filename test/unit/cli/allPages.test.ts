import { describe, expect, it } from 'vitest';
import { allPages, CLI_PAGE_LIMIT } from '../../../cli/client';
import { CliError } from '../../../cli/errors';

/** A list of `n` numbers served in pages of at most `limit`, cursors being the next index. */
function server(n: number) {
  const asked: { cursor: string | undefined; limit: number }[] = [];
  const page = async (cursor: string | undefined, limit: number) => {
    asked.push({ cursor, limit });
    const from = cursor === undefined ? 0 : Number(cursor);
    const items = Array.from({ length: Math.max(0, Math.min(limit, n - from)) }, (_, i) => from + i);
    const next = from + items.length < n ? String(from + items.length) : null;
    return { items, next };
  };
  return { page, asked };
}

describe('prg follows the pages of a list', () => {
  it('to the last page, asking for the largest page each time', async () => {
    const s = server(2 * CLI_PAGE_LIMIT + 5);
    const items = await allPages(s.page);
    expect(items).toEqual(Array.from({ length: 2 * CLI_PAGE_LIMIT + 5 }, (_, i) => i));
    expect(s.asked.map((a) => a.cursor)).toEqual([
      undefined,
      String(CLI_PAGE_LIMIT),
      String(2 * CLI_PAGE_LIMIT),
    ]);
    expect(s.asked.every((a) => a.limit === CLI_PAGE_LIMIT)).toBe(true);
  });

  it('only as far as it needs (prg history --limit N)', async () => {
    const s = server(5000);
    expect(await allPages(s.page, 1500)).toHaveLength(1500);
    expect(s.asked.map((a) => a.limit)).toEqual([CLI_PAGE_LIMIT, 500]);
  });

  it('through short and empty pages that still have a next', async () => {
    const answers = [
      { items: [1], next: 'a' },
      { items: [], next: 'b' },
      { items: [2, 3], next: null },
    ];
    expect(await allPages(async () => answers.shift()!)).toEqual([1, 2, 3]);
  });

  it('stops with an error when the server hands back the same cursor', async () => {
    await expect(allPages(async () => ({ items: [1], next: 'same' }))).rejects.toBeInstanceOf(CliError);
  });
});
