import { beforeEach, describe, expect, it } from 'vitest';
import { apiHarness, type ApiHarness } from '../../support/apiHarness';
import { expectProblem, normalPair, registerNode } from '../../support/apiPair';

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
});

const READ = { scopes: ['prg/read'] };

/** Every list route, with the collection its answer holds. */
const LISTS = [
  ['/v1/nodes', 'nodes'],
  ['/v1/groups', 'groups'],
  ['/v1/groups/prg-1/history', 'history'],
  ['/v1/users', 'users'],
] as const;

/** One page of a list, as a reader asks for it. */
async function page(path: string, query: Record<string, string>) {
  return h.call('GET', path, { query, ...READ });
}

/**
 * Follows a list from its first page to its last, `between` running after each page (to
 * change the data under the reader's feet); the items in the order read.
 */
async function traverse<T>(
  path: string,
  collection: string,
  query: Record<string, string>,
  between: (pageNo: number) => Promise<void> = async () => {},
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let n = 0; n < 1000; n++) {
    const res = await page(path, { ...query, ...(cursor ? { cursor } : {}) });
    expect(res.status).toBe(200);
    items.push(...(res.body[collection] as T[]));
    cursor = res.body.next;
    if (cursor === null) return items;
    await between(n);
  }
  throw new Error(`${path} did not end after 1000 pages`);
}

/** A real cursor of `path` (the first page's next), from a list with more than one item. */
async function cursorOf(path: string, query: Record<string, string> = {}): Promise<string> {
  const res = await page(path, { ...query, limit: '1' });
  expect(res.status).toBe(200);
  expect(res.body.next).toEqual(expect.any(String));
  return res.body.next as string;
}

/** Changes one character of `text` at `at` (counted from the end when negative). */
function alter(text: string, at: number): string {
  const i = at < 0 ? text.length + at : at;
  const c = text[i] === 'A' ? 'B' : 'A';
  return text.slice(0, i) + c + text.slice(i + 1);
}

/** Two groups with history, and users: every list has at least two items. */
async function fleet() {
  await normalPair(h);
  await registerNode(h, 'imp-c');
  await registerNode(h, 'imp-d');
  const g = await h.call('POST', '/v1/groups', { body: { name: 'prg-2', nodes: ['imp-c', 'imp-d'] } });
  expect(g.status).toBe(201);
  for (const userId of ['u1', 'u2', 'u3']) {
    expect((await h.call('POST', '/v1/users', { body: { userId, clusterId: 'c1' } })).status).toBe(201);
  }
}

describe('?limit= on every list', () => {
  it('400 naming limit for 0, 1001, a word or a fraction; nothing else is refused', async () => {
    await fleet();
    for (const [path] of LISTS) {
      for (const limit of ['0', '1001', 'ten', '1.5', '-1', '']) {
        expectProblem(await page(path, { limit }), 400, ['limit']);
      }
      expect((await page(path, { limit: '1' })).status).toBe(200);
      expect((await page(path, { limit: '1000' })).status).toBe(200);
    }
  });

  it('pages hold at most limit items, 100 without a limit, and the last page says next: null', async () => {
    await Promise.all(
      Array.from({ length: 105 }, (_, i) => registerNode(h, `n-${String(i).padStart(3, '0')}`)),
    );
    const first = await page('/v1/nodes', {});
    expect(first.body.nodes).toHaveLength(100);
    expect(first.body.next).toEqual(expect.any(String));
    const rest = await traverse<{ nodeId: string }>('/v1/nodes', 'nodes', { cursor: first.body.next });
    expect(rest).toHaveLength(5);
    const small = await page('/v1/nodes', { limit: '7' });
    expect(small.body.nodes).toHaveLength(7);
    const whole = await page('/v1/nodes', { limit: '1000' });
    expect(whole.body.nodes).toHaveLength(105);
    expect(whole.body.next).toBeNull();
  });
});

describe('?cursor= is tamper-proof', () => {
  it('a cursor with any character changed, cut short, or made up is a 400 naming cursor', async () => {
    await fleet();
    for (const [path] of LISTS) {
      const cursor = await cursorOf(path);
      expect((await page(path, { cursor })).status).toBe(200);
      const dot = cursor.indexOf('.');
      const bad = [
        alter(cursor, 0), // the key it stands for
        alter(cursor, dot - 1),
        alter(cursor, dot + 1), // the signature
        alter(cursor, -1),
        cursor.slice(0, -1),
        cursor.slice(0, dot),
        `${cursor}A`,
        'abc.def',
        'not a cursor',
        '.',
        `${Buffer.from('{"v":1,"s":"nodes","k":{"nodeId":"imp-a"}}').toString('base64url')}.${'A'.repeat(43)}`,
        'A'.repeat(5000),
      ];
      for (const c of bad) expectProblem(await page(path, { cursor: c }), 400, ['cursor']);
    }
  });

  it('a cursor of another list, of other filters or of another group is refused', async () => {
    await fleet();
    const nodes = await cursorOf('/v1/nodes');
    expectProblem(await page('/v1/groups', { cursor: nodes }), 400, ['cursor']);
    expectProblem(await page('/v1/users', { cursor: nodes }), 400, ['cursor']);
    const groups = await cursorOf('/v1/groups', { name: 'prg' });
    expect((await page('/v1/groups', { name: 'prg', cursor: groups })).status).toBe(200);
    expectProblem(await page('/v1/groups', { cursor: groups }), 400, ['cursor']);
    expectProblem(await page('/v1/groups', { name: 'prg-', cursor: groups }), 400, ['cursor']);
    const history = await cursorOf('/v1/groups/prg-1/history');
    expectProblem(await page('/v1/groups/prg-2/history', { cursor: history }), 400, ['cursor']);
    const users = await cursorOf('/v1/users');
    expectProblem(await page('/v1/users', { node: 'imp-a', cursor: users }), 400, ['cursor']);
  });

  it('a cursor another deployment signed is refused: each signs with its own key', async () => {
    await fleet();
    const other = h;
    const foreign = await cursorOf('/v1/nodes');
    h = await apiHarness();
    await registerNode(h, 'imp-a');
    await registerNode(h, 'imp-b');
    expectProblem(await page('/v1/nodes', { cursor: foreign }), 400, ['cursor']);
    // …and the first one still takes its own.
    h = other;
    expect((await page('/v1/nodes', { cursor: foreign })).status).toBe(200);
  });
});

describe('following the pages while the list changes', () => {
  it('nodes: every node there from start to end is read exactly once, new ones at most once', async () => {
    const before = Array.from({ length: 40 }, (_, i) => `n-${String(i).padStart(2, '0')}`);
    await Promise.all(before.map((id) => registerNode(h, id)));
    let added = 0;
    const read = await traverse<{ nodeId: string }>('/v1/nodes', 'nodes', { limit: '7' }, async () => {
      // Ids that sort anywhere among the others: before, between and after pages read.
      await registerNode(h, `n-${String(added).padStart(2, '0')}x`);
      await registerNode(h, `a-${added}`);
      added += 1;
    });
    const ids = read.map((n) => n.nodeId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of before) expect(ids).toContain(id);
  });

  it('groups, users and history too, with the same guarantee', async () => {
    await fleet();
    for (const i of [3, 4, 5, 6]) {
      await registerNode(h, `imp-${i}a`);
      await registerNode(h, `imp-${i}b`);
      await h.call('POST', '/v1/groups', { body: { name: `prg-${i}`, nodes: [`imp-${i}a`, `imp-${i}b`] } });
    }
    const userIds = Array.from({ length: 20 }, (_, i) => `user-${i}`);
    for (const userId of userIds) await h.call('POST', '/v1/users', { body: { userId, clusterId: 'c1' } });

    const groupsBefore = ['prg-1', 'prg-2', 'prg-3', 'prg-4', 'prg-5', 'prg-6'];
    let g = 0;
    const groups = await traverse<{ name: string }>('/v1/groups', 'groups', { limit: '2' }, async () => {
      await registerNode(h, `late-${g}a`);
      await registerNode(h, `late-${g}b`);
      await h.call('POST', '/v1/groups', {
        body: { name: `prg-late-${g}`, nodes: [`late-${g}a`, `late-${g}b`] },
      });
      g += 1;
    });
    const names = groups.map((x) => x.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of groupsBefore) expect(names).toContain(name);

    let u = 0;
    const users = await traverse<{ userId: string }>('/v1/users', 'users', { limit: '3' }, async () => {
      await h.call('POST', '/v1/users', { body: { userId: `late-user-${u++}`, clusterId: 'c1' } });
    });
    const ids = users.map((x) => x.userId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of [...userIds, 'u1', 'u2', 'u3']) expect(ids).toContain(id);

    // By home node: the same users as the node's count says, each once.
    for (const nodeId of ['imp-a', 'imp-b']) {
      const homed = await traverse<{ userId: string; homeNode: string }>('/v1/users', 'users', {
        node: nodeId,
        limit: '2',
      });
      const count = (await h.call('GET', `/v1/nodes/${nodeId}`, READ)).body.userCount;
      expect(homed.map((x) => x.homeNode)).toEqual(Array(count).fill(nodeId));
      expect(new Set(homed.map((x) => x.userId)).size).toBe(count);
    }

    // History: new lines come first (newest first), so a reader going back in time misses none of the old.
    const lines = async () =>
      (await page('/v1/groups/prg-1/history', { limit: '1000' })).body.history as {
        at: string;
        nodeId: string;
      }[];
    const old = await lines();
    expect(old.length).toBeGreaterThanOrEqual(2);
    const history = await traverse<{ at: string; nodeId: string }>(
      '/v1/groups/prg-1/history',
      'history',
      { limit: '1' },
      async () => {
        h.clock.t += 1000;
        await h.call('PATCH', '/v1/groups/prg-1', { body: { highAvailability: false } });
        h.clock.t += 1000;
        await h.call('PATCH', '/v1/groups/prg-1', { body: { highAvailability: true } });
      },
    );
    expect(history).toEqual(old);
    expect((await lines()).length).toBeGreaterThan(old.length);
  });
});

describe('GET /v1/users', () => {
  it('each user with its home and serving node; ?node= takes a node id, nothing else', async () => {
    await fleet();
    const all = await traverse<{ userId: string; homeNode: string | null; currentNode: string | null }>(
      '/v1/users',
      'users',
      {},
    );
    expect(all.map((u) => u.userId).sort()).toEqual(['u1', 'u2', 'u3']);
    for (const u of all) {
      expect(u).toEqual((await h.call('GET', `/v1/users/${u.userId}`, READ)).body);
    }
    expectProblem(await page('/v1/users', { node: '../x' }), 400, ['node']);
    expectProblem(await page('/v1/users', { group: 'prg-1' }), 400, ['group']);
    expectProblem(await h.call('GET', '/v1/users', { scopes: null }), 401);
  });

  it('a page of nodes costs one scan and one batch read of their groups, however many groups', async () => {
    await fleet();
    h.dynamoCalls.length = 0;
    const res = await page('/v1/nodes', { limit: '1000' });
    expect(res.body.nodes.map((n: { group: string | null }) => n.group).sort()).toEqual([
      'prg-1',
      'prg-1',
      'prg-2',
      'prg-2',
    ]);
    expect(h.dynamoCalls).toEqual(['ScanCommand', 'BatchGetItemCommand']);
  });
});
