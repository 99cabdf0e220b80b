import { beforeEach, describe, expect, it } from 'vitest';
import { apiHarness, type ApiHarness } from '../../support/apiHarness';
import { beat, expectProblem, normalPair, registerNode } from '../../support/apiPair';
import { obeyStart, obeyStop } from '../../support/obeyStopApi';

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
});

const READ = { scopes: ['prg/read'] };

const addUser = (userId: string, clusterId = 'c1') =>
  h.call('POST', '/v1/users', { body: { userId, clusterId } });

async function setMode(userAssignmentMode: 'BALANCED' | 'ACTIVE_STANDBY' | 'NONE') {
  const res = await h.call('PUT', '/v1/enterprise-parameters', { body: { userAssignmentMode } });
  expect(res.status).toBe(200);
}

/** Each node's userCount, as a reader sees it on GET /v1/nodes/{nodeId}. */
async function counts(...nodeIds: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const id of nodeIds) {
    const res = await h.call('GET', `/v1/nodes/${id}`, READ);
    expect(res.status).toBe(200);
    out[id] = res.body.userCount;
  }
  return out;
}

async function failover(nodeId: string): Promise<string> {
  const f = await h.call('POST', '/v1/groups/prg-1/failover', { body: { nodeId } });
  expect(f.status).toBe(202);
  return f.body.operation.id;
}

async function completeStep(operationId: string) {
  await h.runTask({ task: 'moveUsers', group: 'prg-1', operationId });
}

describe('POST /v1/users', () => {
  it('201; BALANCED (the default) alternates new users between the nodes of the pair', async () => {
    await normalPair(h);
    const first = await addUser('alice');
    expect(first.status).toBe(201);
    expect(first.contentType).toBe('application/json');
    expect(first.body).toMatchObject({ userId: 'alice', homeNode: 'imp-a', currentNode: 'imp-a' });
    const homes = [first.body.homeNode];
    for (const id of ['bob', 'carol', 'dave']) {
      const res = await addUser(id);
      expect(res.status).toBe(201);
      homes.push(res.body.homeNode);
    }
    expect(homes).toEqual(['imp-a', 'imp-b', 'imp-a', 'imp-b']);
    expect(await counts('imp-a', 'imp-b')).toEqual({ 'imp-a': 2, 'imp-b': 2 });
  });

  it('NONE gives homeNode null: the administrator assigns the user', async () => {
    await normalPair(h);
    await setMode('NONE');
    const res = await addUser('alice');
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      userId: 'alice',
      clusterId: 'c1',
      homeNode: null,
      currentNode: null,
      relogin: null,
    });
    expect(await counts('imp-a', 'imp-b')).toEqual({ 'imp-a': 0, 'imp-b': 0 });
    const assigned = await h.call('PUT', '/v1/users/alice/home', { body: { nodeId: 'imp-b' } });
    expect(assigned.status).toBe(200);
    expect(await counts('imp-a', 'imp-b')).toEqual({ 'imp-a': 0, 'imp-b': 1 });
    expect((await h.call('DELETE', '/v1/users/alice')).status).toBe(204);
    expect(await counts('imp-a', 'imp-b')).toEqual({ 'imp-a': 0, 'imp-b': 0 });
  });

  it('a user without a home node can be deleted', async () => {
    await normalPair(h);
    await setMode('NONE');
    expect((await addUser('bob')).status).toBe(201);
    expect((await h.call('DELETE', '/v1/users/bob')).status).toBe(204);
    expect((await h.call('GET', '/v1/users/bob', READ)).status).toBe(404);
  });

  it('a user of a cluster without any group yet gets homeNode null', async () => {
    await registerNode(h, 'imp-a');
    const res = await addUser('alice');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ homeNode: null, currentNode: null });
  });

  it('ACTIVE_STANDBY puts every new user on the first node; the second stays a backup', async () => {
    await normalPair(h);
    await setMode('ACTIVE_STANDBY');
    for (const id of ['alice', 'bob', 'carol']) {
      const res = await addUser(id);
      expect(res.status).toBe(201);
      expect(res.body.homeNode).toBe('imp-a');
    }
    expect(await counts('imp-a', 'imp-b')).toEqual({ 'imp-a': 3, 'imp-b': 0 });
  });

  it('409 while a node of the cluster is failed over, during the workflow and after it; nothing is written', async () => {
    const { a, b } = await normalPair(h);
    expect((await addUser('alice')).status).toBe(201);
    const op = await failover('imp-a');
    const during = await addUser('bob');
    expectProblem(during, 409);
    expect(during.body.detail).toContain('prg-1');
    expect(during.body.detail).toMatch(/fall back/);
    await obeyStop(h, a);
    await completeStep(op);
    const after = await addUser('bob');
    expectProblem(after, 409);
    expect(after.body.states).toEqual([
      expect.objectContaining({
        nodeId: 'imp-a',
        state: 'IDLE',
        reason: 'ON_ADMIN_REQUEST',
        stateLabel: 'Idle',
      }),
      expect.objectContaining({
        nodeId: 'imp-b',
        state: 'RUNNING_IN_BACKUP_MODE',
        reason: 'ON_ADMIN_REQUEST',
      }),
    ]);
    expectProblem(await h.call('GET', '/v1/users/bob', READ), 404);
    expect(await counts('imp-a', 'imp-b')).toEqual({ 'imp-a': 1, 'imp-b': 0 });

    // After the fallback, users may be added again.
    const fb = await h.call('POST', '/v1/groups/prg-1/fallback', { body: { nodeId: 'imp-a' } });
    expect(fb.status).toBe(202);
    obeyStart(a);
    // The node taking back is told to start (first heartbeat) and shows it obeyed (second).
    for (let i = 0; i < 2; i++) {
      h.clock.t += 1000;
      await beat(h, a);
      await beat(h, b);
    }
    await completeStep(fb.body.operation.id);
    expect((await addUser('bob')).status).toBe(201);
  });

  it('409 for a userId that exists; the node counts are unchanged', async () => {
    await normalPair(h);
    expect((await addUser('alice')).status).toBe(201);
    const again = await addUser('alice');
    expectProblem(again, 409);
    expect(again.body.detail).toContain('alice already exists');
    expect(await counts('imp-a', 'imp-b')).toEqual({ 'imp-a': 1, 'imp-b': 0 });
  });

  it('400 naming userId or clusterId, for malformed JSON and unknown fields, 413 over 256 KiB; nothing is written', async () => {
    await normalPair(h);
    const post = (o: { body?: unknown; rawBody?: string }) => h.call('POST', '/v1/users', o);
    expectProblem(await post({ body: { userId: 'al ice', clusterId: 'c1' } }), 400, ['userId']);
    expectProblem(await post({ body: { userId: 'u'.repeat(129), clusterId: 'c1' } }), 400, ['userId']);
    expectProblem(await post({ body: { userId: 'alice', clusterId: 'c/1' } }), 400, ['clusterId']);
    expectProblem(await post({ body: { userId: 'alice' } }), 400, ['clusterId']);
    expectProblem(await post({ body: { userId: 'alice', clusterId: 'c1', homeNode: 'imp-b' } }), 400);
    expectProblem(await post({ rawBody: '{bad' }), 400);
    expectProblem(
      await post({ rawBody: JSON.stringify({ userId: 'alice', clusterId: 'c'.repeat(257 * 1024) }) }),
      413,
    );
    expectProblem(await h.call('GET', '/v1/users/alice', READ), 404);
    expect(await counts('imp-a', 'imp-b')).toEqual({ 'imp-a': 0, 'imp-b': 0 });
  });

  it('an e-mail-like userId is accepted', async () => {
    await normalPair(h);
    expect((await addUser('alice.o+im@example.com')).status).toBe(201);
    const res = await h.call('GET', `/v1/users/${encodeURIComponent('alice.o+im@example.com')}`, READ);
    expect(res.status).toBe(200);
    expect(res.body.userId).toBe('alice.o+im@example.com');
  });

  it('403 for a reader, 401 without a token; nothing is written', async () => {
    await normalPair(h);
    const body = { userId: 'alice', clusterId: 'c1' };
    expectProblem(await h.call('POST', '/v1/users', { body, ...READ }), 403);
    expectProblem(await h.call('POST', '/v1/users', { body, scopes: null }), 401);
    expectProblem(await h.call('GET', '/v1/users/alice', READ), 404);
  });
});

describe('GET /v1/users/{userId}', () => {
  it('a reader sees the home node as currentNode, and when to log in again within the node’s limits', async () => {
    await normalPair(h);
    await addUser('alice');
    const res = await h.call('GET', '/v1/users/alice', READ);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      userId: 'alice',
      clusterId: 'c1',
      homeNode: 'imp-a',
      currentNode: 'imp-a',
      relogin: { lowerLimitSeconds: 120, upperLimitSeconds: 537, afterSeconds: expect.any(Number) },
    });
    const after = res.body.relogin.afterSeconds;
    expect(Number.isInteger(after)).toBe(true);
    expect(after).toBeGreaterThanOrEqual(120);
    expect(after).toBeLessThanOrEqual(537);
    // Asking twice gives the same answer.
    expect((await h.call('GET', '/v1/users/alice', READ)).body).toEqual(res.body);
  });

  it('after a completed failover of the home node, currentNode is the peer and relogin stays within the limits', async () => {
    const { a } = await normalPair(h);
    await addUser('alice'); // imp-a
    await addUser('bob'); // imp-b
    const op = await failover('imp-a');
    // While the workflow runs, users are still served by their home node.
    expect((await h.call('GET', '/v1/users/alice', READ)).body.currentNode).toBe('imp-a');
    await obeyStop(h, a);
    await completeStep(op);
    const alice = await h.call('GET', '/v1/users/alice', READ);
    expect(alice.status).toBe(200);
    expect(alice.body).toMatchObject({ homeNode: 'imp-a', currentNode: 'imp-b' });
    const { lowerLimitSeconds, upperLimitSeconds, afterSeconds } = alice.body.relogin;
    expect(afterSeconds).toBeGreaterThanOrEqual(lowerLimitSeconds);
    expect(afterSeconds).toBeLessThanOrEqual(upperLimitSeconds);
    expect((await h.call('GET', '/v1/users/bob', READ)).body).toMatchObject({
      homeNode: 'imp-b',
      currentNode: 'imp-b',
    });
  });

  it('404 for an unknown user, 400 naming userId for an invalid one, 401 without a token', async () => {
    await normalPair(h);
    const unknown = await h.call('GET', '/v1/users/zoe', READ);
    expectProblem(unknown, 404);
    expect(unknown.body.detail).toContain('zoe');
    expectProblem(await h.call('GET', '/v1/users/zo%20e', READ), 400, ['userId']);
    expectProblem(await h.call('GET', '/v1/users/zoe', { scopes: null }), 401);
  });
});

describe('PUT /v1/users/{userId}/home', () => {
  it('in mode NONE, sets the home node and moves the node counts', async () => {
    await normalPair(h);
    await addUser('alice'); // imp-a, by the sync agent
    await setMode('NONE');
    const res = await h.call('PUT', '/v1/users/alice/home', { body: { nodeId: 'imp-b' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ userId: 'alice', homeNode: 'imp-b', currentNode: 'imp-b' });
    expect((await h.call('GET', '/v1/users/alice', READ)).body.homeNode).toBe('imp-b');
    expect(await counts('imp-a', 'imp-b')).toEqual({ 'imp-a': 0, 'imp-b': 1 });
  });

  it('409 unless the mode is NONE, saying how to change it; the home is unchanged', async () => {
    await normalPair(h);
    await addUser('alice');
    for (const mode of ['BALANCED', 'ACTIVE_STANDBY'] as const) {
      await setMode(mode);
      const res = await h.call('PUT', '/v1/users/alice/home', { body: { nodeId: 'imp-b' } });
      expectProblem(res, 409);
      expect(res.body.detail).toContain(mode);
      expect(res.body.detail).toContain('NONE');
    }
    expect((await h.call('GET', '/v1/users/alice', READ)).body.homeNode).toBe('imp-a');
    expect(await counts('imp-a', 'imp-b')).toEqual({ 'imp-a': 1, 'imp-b': 0 });
  });

  it('400 naming nodeId for a node of another cluster or an unknown node; the home is unchanged', async () => {
    await normalPair(h);
    await registerNode(h, 'imp-z', { clusterId: 'c2' });
    await addUser('alice');
    await setMode('NONE');
    const other = await h.call('PUT', '/v1/users/alice/home', { body: { nodeId: 'imp-z' } });
    expectProblem(other, 400, ['nodeId']);
    expect(other.body.detail).toContain('c1');
    expectProblem(await h.call('PUT', '/v1/users/alice/home', { body: { nodeId: 'imp-ghost' } }), 400, [
      'nodeId',
    ]);
    expect((await h.call('GET', '/v1/users/alice', READ)).body.homeNode).toBe('imp-a');
    expect(await counts('imp-a', 'imp-z')).toEqual({ 'imp-a': 1, 'imp-z': 0 });
  });

  it('404 for an unknown user; 400 for a bad body, malformed JSON; 413; 403 for a reader; 401 without a token', async () => {
    await normalPair(h);
    await addUser('alice');
    await setMode('NONE');
    const put = (o: { body?: unknown; rawBody?: string; scopes?: string[] | null }) =>
      h.call('PUT', '/v1/users/alice/home', o);
    expectProblem(await h.call('PUT', '/v1/users/zoe/home', { body: { nodeId: 'imp-b' } }), 404);
    expectProblem(await put({ body: {} }), 400, ['nodeId']);
    expectProblem(await put({ body: { nodeId: 'imp b' } }), 400, ['nodeId']);
    expectProblem(await put({ rawBody: '{bad' }), 400);
    expectProblem(await put({ rawBody: JSON.stringify({ nodeId: 'n'.repeat(257 * 1024) }) }), 413);
    expectProblem(await put({ body: { nodeId: 'imp-b' }, ...READ }), 403);
    expectProblem(await put({ body: { nodeId: 'imp-b' }, scopes: null }), 401);
    expect((await h.call('GET', '/v1/users/alice', READ)).body.homeNode).toBe('imp-a');
  });
});

describe('DELETE /v1/users/{userId}', () => {
  it('204; the user is gone and its home node’s userCount goes down', async () => {
    await normalPair(h);
    await addUser('alice'); // imp-a
    await addUser('bob'); // imp-b
    expect(await counts('imp-a', 'imp-b')).toEqual({ 'imp-a': 1, 'imp-b': 1 });
    const res = await h.call('DELETE', '/v1/users/alice');
    expect(res.status).toBe(204);
    expect(res.body).toBeUndefined();
    expectProblem(await h.call('GET', '/v1/users/alice', READ), 404);
    expect(await counts('imp-a', 'imp-b')).toEqual({ 'imp-a': 0, 'imp-b': 1 });
    expectProblem(await h.call('DELETE', '/v1/users/alice'), 404);
    expect(await counts('imp-a', 'imp-b')).toEqual({ 'imp-a': 0, 'imp-b': 1 });
  });

  it('404 for an unknown user, 403 for a reader, 401 without a token; the user stays', async () => {
    await normalPair(h);
    await addUser('alice');
    expectProblem(await h.call('DELETE', '/v1/users/zoe'), 404);
    expectProblem(await h.call('DELETE', '/v1/users/alice', READ), 403);
    expectProblem(await h.call('DELETE', '/v1/users/alice', { scopes: null }), 401);
    expect((await h.call('GET', '/v1/users/alice', READ)).status).toBe(200);
    expect(await counts('imp-a')).toEqual({ 'imp-a': 1 });
  });
});

describe('POST /v1/clusters/{clusterId}/rebalance', () => {
  it('202; users put on one node by hand are balanced over the pair afterwards', async () => {
    await normalPair(h);
    const ids = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'];
    for (const id of ids) expect((await addUser(id)).status).toBe(201);
    await setMode('NONE');
    for (const id of ids) {
      expect((await h.call('PUT', `/v1/users/${id}/home`, { body: { nodeId: 'imp-a' } })).status).toBe(200);
    }
    expect(await counts('imp-a', 'imp-b')).toEqual({ 'imp-a': 6, 'imp-b': 0 });
    await setMode('BALANCED');
    const res = await h.call('POST', '/v1/clusters/c1/rebalance');
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ planned: [{ from: 'imp-a', to: 'imp-b', count: 3 }], moved: 3, remaining: 0 });
    expect(await counts('imp-a', 'imp-b')).toEqual({ 'imp-a': 3, 'imp-b': 3 });
    const homes = [];
    for (const id of ids) homes.push((await h.call('GET', `/v1/users/${id}`, READ)).body.homeNode);
    expect(homes.filter((n) => n === 'imp-a')).toHaveLength(3);
    expect(homes.filter((n) => n === 'imp-b')).toHaveLength(3);
    // Balanced already: a second rebalance moves nobody.
    expect((await h.call('POST', '/v1/clusters/c1/rebalance')).body).toEqual({
      planned: [],
      moved: 0,
      remaining: 0,
    });
  });

  it('in ACTIVE_STANDBY, rebalance brings every user to the first node', async () => {
    await normalPair(h);
    for (const id of ['u1', 'u2', 'u3', 'u4']) await addUser(id);
    expect(await counts('imp-a', 'imp-b')).toEqual({ 'imp-a': 2, 'imp-b': 2 });
    await setMode('ACTIVE_STANDBY');
    const res = await h.call('POST', '/v1/clusters/c1/rebalance');
    expect(res.status).toBe(202);
    expect(res.body.moved).toBe(2);
    expect(await counts('imp-a', 'imp-b')).toEqual({ 'imp-a': 4, 'imp-b': 0 });
  });

  it('409 while a node of the cluster is failed over; nobody moves', async () => {
    await normalPair(h);
    for (const id of ['u1', 'u2']) await addUser(id);
    await setMode('ACTIVE_STANDBY');
    await completeStep(await failover('imp-b'));
    const res = await h.call('POST', '/v1/clusters/c1/rebalance');
    expectProblem(res, 409);
    expect(res.body.detail).toContain('prg-1');
    expect(await counts('imp-a', 'imp-b')).toEqual({ 'imp-a': 1, 'imp-b': 1 });
  });

  it('400 naming clusterId for an invalid one, 403 for a reader, 401 without a token', async () => {
    await normalPair(h);
    expectProblem(await h.call('POST', '/v1/clusters/c%201/rebalance'), 400, ['clusterId']);
    expectProblem(await h.call('POST', '/v1/clusters/c1/rebalance', READ), 403);
    expectProblem(await h.call('POST', '/v1/clusters/c1/rebalance', { scopes: null }), 401);
  });
});
