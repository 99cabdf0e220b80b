import { describe, expect, it, vi } from 'vitest';
import type { GroupView } from '../../../cli/groupView';
import { capturePrg, normalGroup } from '../../support/cliRun';

const group = (name: string) => normalGroup(name);

const { written, run } = capturePrg();

/** A control plane whose group list comes in two pages: g-1 on the first, g-2 on the second. */
function twoPages() {
  const asked: string[] = [];
  const fetch = vi.fn(async (input: string | URL | Request) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    asked.push(url.search);
    const second = url.searchParams.get('cursor') === 'page-2';
    const body = second ? { groups: [group('g-2')], next: null } : { groups: [group('g-1')], next: 'page-2' };
    return new Response(JSON.stringify(body), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  });
  vi.stubGlobal('fetch', fetch);
  return asked;
}

describe('prg status shows every group, not only the first page', () => {
  it('as text', async () => {
    const asked = twoPages();
    await run('status');
    const text = written.join('');
    expect(text).toContain('g-1');
    expect(text).toContain('g-2');
    expect(asked).toHaveLength(2);
  });

  it('as JSON: {"groups": [...]} with every page in one list', async () => {
    twoPages();
    await run('status', '--json');
    const json = JSON.parse(written.join('')) as { groups: GroupView[] };
    expect(json.groups.map((g) => g.name)).toEqual(['g-1', 'g-2']);
  });
});
