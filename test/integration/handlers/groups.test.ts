import { beforeEach, describe, expect, it } from 'vitest';
import { apiHarness, type ApiHarness } from '../../support/apiHarness';
import { beat, expectProblem, normalPair, registerNode, states } from '../../support/apiPair';
import { obeyStop } from '../../support/obeyStopApi';

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
});

const READ = { scopes: ['prg/read'] };

const createGroup = (body: Record<string, unknown>) => h.call('POST', '/v1/groups', { body });

/** The group a node belongs to, as a reader sees it. */
async function groupOf(nodeId: string): Promise<string | null> {
  return (await h.call('GET', `/v1/nodes/${nodeId}`, READ)).body.group;
}

/** The names of every group, as a reader lists them. */
async function groupNames(): Promise<string[]> {
  const res = await h.call('GET', '/v1/groups', READ);
  expect(res.status).toBe(200);
  return res.body.groups.map((g: { name: string }) => g.name);
}

describe('POST /v1/groups', () => {
  it('201 without high availability: the group, and nodes that have no state', async () => {
    await registerNode(h, 'imp-a');
    await registerNode(h, 'imp-b');
    const res = await createGroup({ name: 'prg-1', description: 'Paris pair', nodes: ['imp-a', 'imp-b'] });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: 'prg-1',
      description: 'Paris pair',
      clusterId: 'c1',
      highAvailability: false,
      failedOver: null,
      version: 1,
      operation: null,
      createdAt: new Date(h.clock.t).toISOString(),
    });
    expect(res.body.nodes).toEqual(
      ['imp-a', 'imp-b'].map((nodeId) =>
        expect.objectContaining({
          nodeId,
          state: null,
          stateLabel: null,
          reason: null,
          reasonLabel: null,
          recommendedActions: [],
        }),
      ),
    );
    expect(await groupOf('imp-a')).toBe('prg-1');
    expect(await groupOf('imp-b')).toBe('prg-1');
    expect(h.started()).toEqual([]);
  });

  it('201 with high availability over two healthy heartbeating nodes: both NORMAL', async () => {
    const a = await registerNode(h, 'imp-a');
    const b = await registerNode(h, 'imp-b');
    await beat(h, a);
    await beat(h, b);
    const res = await createGroup({ name: 'prg-1', nodes: ['imp-a', 'imp-b'], highAvailability: true });
    expect(res.status).toBe(201);
    expect(res.body.highAvailability).toBe(true);
    expect(
      res.body.nodes.map((n: any) => [n.nodeId, n.state, n.stateLabel, n.reason, n.reasonLabel]),
    ).toEqual([
      ['imp-a', 'NORMAL', 'Normal', 'NORMAL', 'Normal'],
      ['imp-b', 'NORMAL', 'Normal', 'NORMAL', 'Normal'],
    ]);
    expect(h.started()).toEqual([]);
  });

  it('400 naming nodes.1 for an unregistered node; nothing is written', async () => {
    await registerNode(h, 'imp-a');
    const res = await createGroup({ name: 'prg-1', nodes: ['imp-a', 'imp-ghost'] });
    expectProblem(res, 400, ['nodes.1']);
    expect(res.body.errors[0].message).toContain('imp-ghost');
    expectProblem(await h.call('GET', '/v1/groups/prg-1', READ), 404);
    expect(await groupOf('imp-a')).toBeNull();
  });

  it.each([
    ['cluster', { clusterId: 'c2' }],
    ['database publisher', { publisherId: 'pub-2' }],
    ['software version', { softwareVersion: '14.0' }],
  ])('400 naming nodes.1 when the nodes differ in %s; nothing is written', async (what, extra) => {
    await registerNode(h, 'imp-a');
    await registerNode(h, 'imp-b', extra);
    const res = await createGroup({ name: 'prg-1', nodes: ['imp-a', 'imp-b'], highAvailability: true });
    expectProblem(res, 400, ['nodes.1']);
    expect(res.body.errors[0].message).toContain(what);
    expect(await groupNames()).toEqual([]);
    expect(await groupOf('imp-a')).toBeNull();
    expect(await groupOf('imp-b')).toBeNull();
  });

  it('409 when a node already belongs to another group, naming both; nothing is written', async () => {
    await registerNode(h, 'imp-a');
    await registerNode(h, 'imp-b');
    await registerNode(h, 'imp-c');
    expect((await createGroup({ name: 'prg-1', nodes: ['imp-a', 'imp-b'] })).status).toBe(201);
    const res = await createGroup({ name: 'prg-2', nodes: ['imp-c', 'imp-b'] });
    expectProblem(res, 409);
    expect(res.body.detail).toContain('imp-b');
    expect(res.body.detail).toContain('prg-1');
    expect(await groupNames()).toEqual(['prg-1']);
    expect(await groupOf('imp-c')).toBeNull();
  });

  it('409 for a name already taken; the first group is unchanged', async () => {
    await registerNode(h, 'imp-a');
    await registerNode(h, 'imp-b');
    expect((await createGroup({ name: 'prg-1', description: 'first', nodes: ['imp-a'] })).status).toBe(201);
    const res = await createGroup({ name: 'prg-1', description: 'second', nodes: ['imp-b'] });
    expectProblem(res, 409);
    expect(res.body.detail).toContain('prg-1 already exists');
    const shown = await h.call('GET', '/v1/groups/prg-1', READ);
    expect(shown.body.description).toBe('first');
    expect(shown.body.nodes.map((n: { nodeId: string }) => n.nodeId)).toEqual(['imp-a']);
    expect(await groupOf('imp-b')).toBeNull();
  });

  it('400 naming name for 129 characters and description for "<" or 129 characters; 128 of each is accepted', async () => {
    await registerNode(h, 'imp-a');
    expectProblem(await createGroup({ name: 'g'.repeat(129), nodes: ['imp-a'] }), 400, ['name']);
    expectProblem(await createGroup({ name: 'prg 1', nodes: ['imp-a'] }), 400, ['name']);
    const lt = await createGroup({ name: 'prg-1', description: 'a <b> pair', nodes: ['imp-a'] });
    expectProblem(lt, 400, ['description']);
    expect(lt.body.errors[0].message).toContain('<');
    expectProblem(await createGroup({ name: 'prg-1', description: 'd'.repeat(129), nodes: ['imp-a'] }), 400, [
      'description',
    ]);
    expect(await groupNames()).toEqual([]);
    expect(await groupOf('imp-a')).toBeNull();
    const ok = await createGroup({ name: 'g'.repeat(128), description: 'é'.repeat(128), nodes: ['imp-a'] });
    expect(ok.status).toBe(201);
  });

  it('400 for high availability with one node, the same node twice, or three nodes; nothing is written', async () => {
    await registerNode(h, 'imp-a');
    await registerNode(h, 'imp-b');
    await registerNode(h, 'imp-c');
    const one = await createGroup({ name: 'prg-1', nodes: ['imp-a'], highAvailability: true });
    expectProblem(one, 400, ['highAvailability']);
    expect(one.body.errors[0].message).toContain('two nodes');
    expectProblem(await createGroup({ name: 'prg-1', nodes: ['imp-a', 'imp-a'] }), 400, ['nodes.1']);
    expectProblem(await createGroup({ name: 'prg-1', nodes: ['imp-a', 'imp-b', 'imp-c'] }), 400, ['nodes']);
    expectProblem(await createGroup({ name: 'prg-1', nodes: [] }), 400, ['nodes']);
    expect(await groupNames()).toEqual([]);
    expect(await groupOf('imp-a')).toBeNull();
  });

  it('400 problem+json for malformed JSON or an unknown field, 413 over 256 KiB, 401 without a token, 403 for a reader', async () => {
    await registerNode(h, 'imp-a');
    expectProblem(await h.call('POST', '/v1/groups', { rawBody: '{bad' }), 400);
    const unknown = await createGroup({ name: 'prg-1', nodes: ['imp-a'], region: 'eu' });
    expectProblem(unknown, 400);
    expect(JSON.stringify(unknown.body.errors)).toContain('region');
    const big = await h.call('POST', '/v1/groups', {
      rawBody: JSON.stringify({ name: 'prg-1', nodes: ['imp-a'], description: 'd'.repeat(257 * 1024) }),
    });
    expectProblem(big, 413);
    const body = { name: 'prg-1', nodes: ['imp-a'] };
    expectProblem(await h.call('POST', '/v1/groups', { body, scopes: null }), 401);
    expectProblem(await h.call('POST', '/v1/groups', { body, ...READ }), 403);
    expect(await groupNames()).toEqual([]);
    expect(await groupOf('imp-a')).toBeNull();
  });
});

describe('GET /v1/groups/{name}', () => {
  it('a reader sees per node state, labels, reason, recommended actions, last heartbeat and services, and the group’s version and operation', async () => {
    await normalPair(h);
    const res = await h.call('GET', '/v1/groups/prg-1', READ);
    expect(res.status).toBe(200);
    const at = new Date(h.clock.t).toISOString();
    for (const n of res.body.nodes) {
      expect(n).toMatchObject({
        state: 'NORMAL',
        stateLabel: 'Normal',
        reason: 'NORMAL',
        reasonLabel: 'Normal',
        recommendedActions: expect.any(Array),
        lastHeartbeatAt: at,
        services: expect.objectContaining({ 'Cisco XCP Router': 'running', 'Cisco SIP Proxy': 'running' }),
      });
    }
    expect(res.body.operation).toBeNull();
    expect(res.body.version).toEqual(expect.any(Number));

    h.clock.t += 1000;
    const f = await h.call('POST', '/v1/groups/prg-1/failover', { body: { nodeId: 'imp-a' } });
    expect(f.status).toBe(202);
    const during = await h.call('GET', '/v1/groups/prg-1', READ);
    expect(during.body.version).toBeGreaterThan(res.body.version);
    expect(during.body.operation).toMatchObject({
      id: f.body.operation.id,
      fromNode: 'imp-a',
      toNode: 'imp-b',
      startedAt: new Date(h.clock.t).toISOString(),
    });
    expect(during.body.nodes.map((n: any) => [n.state, n.stateLabel, n.reasonLabel])).toEqual([
      ['FAILING_OVER', 'Failing Over', 'On Admin Request'],
      ['TAKING_OVER', 'Taking Over', 'On Admin Request'],
    ]);
  });

  it('a failed pair shows the recommended actions of its Table 2 row', async () => {
    await normalPair(h);
    const f = await h.call('POST', '/v1/groups/prg-1/failover', { body: { nodeId: 'imp-a' } });
    await h.runTask({
      task: 'reportFailure',
      group: 'prg-1',
      operationId: f.body.operation.id,
      error: { Error: 'UserMoveFailed', Cause: 'database write refused' },
    });
    const res = await h.call('GET', '/v1/groups/prg-1', READ);
    for (const n of res.body.nodes) {
      expect(n.state).toBe('RUNNING_IN_FAILED_MODE');
      expect(n.stateLabel).toBe('Running in Failed Mode');
      expect(n.recommendedActions.length).toBeGreaterThan(0);
      for (const action of n.recommendedActions) expect(action).toEqual(expect.any(String));
    }
    expect(res.body.operation).toBeNull();
  });

  it('404 for an unknown group, 400 naming name for an invalid one, 401 without a token', async () => {
    const unknown = await h.call('GET', '/v1/groups/prg-9', READ);
    expectProblem(unknown, 404);
    expect(unknown.body.detail).toContain('prg-9');
    expectProblem(await h.call('GET', '/v1/groups/bad%20name', READ), 400, ['name']);
    expectProblem(await h.call('GET', '/v1/groups/prg-9', { scopes: null }), 401);
  });
});

describe('GET /v1/groups?name=PREFIX', () => {
  it('finds the groups whose name starts with the prefix, and only those', async () => {
    for (const id of ['imp-a', 'imp-b', 'imp-c']) await registerNode(h, id);
    expect((await createGroup({ name: 'prg-2', nodes: ['imp-b'] })).status).toBe(201);
    expect((await createGroup({ name: 'prg-1', nodes: ['imp-a'] })).status).toBe(201);
    expect((await createGroup({ name: 'east-prg-3', nodes: ['imp-c'] })).status).toBe(201);
    const find = async (name: string) => {
      const res = await h.call('GET', '/v1/groups', { query: { name }, ...READ });
      expect(res.status).toBe(200);
      return res.body.groups.map((g: { name: string }) => g.name);
    };
    expect(await find('prg')).toEqual(['prg-1', 'prg-2']);
    expect(await find('prg-1')).toEqual(['prg-1']);
    expect(await find('east')).toEqual(['east-prg-3']);
    expect(await find('zzz')).toEqual([]);
    expect(await groupNames()).toEqual(['east-prg-3', 'prg-1', 'prg-2']);
    const list = await h.call('GET', '/v1/groups', { query: { name: 'prg-1' }, ...READ });
    expect(list.body.groups[0]).toMatchObject({
      name: 'prg-1',
      nodes: [expect.objectContaining({ nodeId: 'imp-a' })],
    });
  });

  it('400 naming name for a prefix that no group name could have, or an unknown query parameter', async () => {
    expectProblem(await h.call('GET', '/v1/groups', { query: { name: 'prg/1' }, ...READ }), 400, ['name']);
    expectProblem(await h.call('GET', '/v1/groups', { query: { prefix: 'prg' }, ...READ }), 400);
    expectProblem(await h.call('GET', '/v1/groups', { scopes: null }), 401);
  });
});

describe('PATCH /v1/groups/{name}', () => {
  it('changes the description and nothing else', async () => {
    await normalPair(h);
    const before = (await h.call('GET', '/v1/groups/prg-1', READ)).body;
    const res = await h.call('PATCH', '/v1/groups/prg-1', { body: { description: 'Paris pair' } });
    expect(res.status).toBe(200);
    expect(res.body.description).toBe('Paris pair');
    const after = (await h.call('GET', '/v1/groups/prg-1', READ)).body;
    expect(after.description).toBe('Paris pair');
    expect(after.version).toBeGreaterThan(before.version);
    expect(after.highAvailability).toBe(true);
    expect(after.nodes).toEqual(before.nodes);
  });

  it('highAvailability false, then true again: states cleared, then both NORMAL', async () => {
    const { a, b } = await normalPair(h);
    const off = await h.call('PATCH', '/v1/groups/prg-1', { body: { highAvailability: false } });
    expect(off.status).toBe(200);
    expect(off.body.highAvailability).toBe(false);
    expect(await states(h)).toEqual([
      [null, null],
      [null, null],
    ]);
    h.clock.t += 1000;
    expect((await beat(h, a)).body).toMatchObject({ group: null, state: null });
    await beat(h, b);
    const on = await h.call('PATCH', '/v1/groups/prg-1', { body: { highAvailability: true } });
    expect(on.status).toBe(200);
    expect(on.body.highAvailability).toBe(true);
    expect(await states(h)).toEqual([
      ['NORMAL', 'NORMAL'],
      ['NORMAL', 'NORMAL'],
    ]);
  });

  it('changes the description of a group without high availability', async () => {
    await registerNode(h, 'imp-a');
    expect((await createGroup({ name: 'prg-1', nodes: ['imp-a'] })).status).toBe(201);
    const res = await h.call('PATCH', '/v1/groups/prg-1', { body: { description: 'lab node' } });
    expect(res.status).toBe(200);
    expect((await h.call('GET', '/v1/groups/prg-1', READ)).body).toMatchObject({
      description: 'lab node',
      highAvailability: false,
    });
  });

  it('409 for highAvailability true on a group of one node, saying why; nothing is changed', async () => {
    await registerNode(h, 'imp-a');
    expect((await createGroup({ name: 'prg-1', nodes: ['imp-a'] })).status).toBe(201);
    const res = await h.call('PATCH', '/v1/groups/prg-1', { body: { highAvailability: true } });
    expectProblem(res, 409);
    expect(res.body.detail).toContain('two nodes');
    expect((await h.call('GET', '/v1/groups/prg-1', READ)).body).toMatchObject({
      highAvailability: false,
      version: 1,
    });
  });

  it('400 for an empty patch, a description with ">", an unknown field or malformed JSON; nothing is changed', async () => {
    await normalPair(h);
    const before = (await h.call('GET', '/v1/groups/prg-1', READ)).body;
    const patch = (o: { body?: unknown; rawBody?: string }) => h.call('PATCH', '/v1/groups/prg-1', o);
    expectProblem(await patch({ body: {} }), 400);
    expectProblem(await patch({ body: { description: 'a > b' } }), 400, ['description']);
    expectProblem(await patch({ body: { highAvailability: 'yes' } }), 400, ['highAvailability']);
    expectProblem(await patch({ body: { name: 'prg-2' } }), 400);
    expectProblem(await patch({ rawBody: '{bad' }), 400);
    expectProblem(await patch({ rawBody: JSON.stringify({ description: 'd'.repeat(257 * 1024) }) }), 413);
    expect((await h.call('GET', '/v1/groups/prg-1', READ)).body).toEqual(before);
  });

  it('403 for a reader, 401 without a token; nothing is changed', async () => {
    await normalPair(h);
    const body = { highAvailability: false };
    expectProblem(await h.call('PATCH', '/v1/groups/prg-1', { body, ...READ }), 403);
    expectProblem(await h.call('PATCH', '/v1/groups/prg-1', { body, scopes: null }), 401);
    expect(await states(h)).toEqual([
      ['NORMAL', 'NORMAL'],
      ['NORMAL', 'NORMAL'],
    ]);
  });
});

describe('DELETE /v1/groups/{name}', () => {
  it('204, then the group is unknown and its nodes are free for a new group', async () => {
    await normalPair(h);
    const res = await h.call('DELETE', '/v1/groups/prg-1');
    expect(res.status).toBe(204);
    expect(res.body).toBeUndefined();
    expectProblem(await h.call('GET', '/v1/groups/prg-1', READ), 404);
    expect(await groupOf('imp-a')).toBeNull();
    expect(await groupOf('imp-b')).toBeNull();
    const again = await createGroup({ name: 'prg-2', nodes: ['imp-b', 'imp-a'], highAvailability: true });
    expect(again.status).toBe(201);
    expect(await groupOf('imp-a')).toBe('prg-2');
  });

  it('409 with the current states while a workflow runs; the group stays', async () => {
    await normalPair(h);
    const f = await h.call('POST', '/v1/groups/prg-1/failover', { body: { nodeId: 'imp-a' } });
    expect(f.status).toBe(202);
    const res = await h.call('DELETE', '/v1/groups/prg-1');
    expectProblem(res, 409);
    expect(res.body.detail).toContain(f.body.operation.id);
    expect(res.body.states).toEqual([
      expect.objectContaining({ nodeId: 'imp-a', state: 'FAILING_OVER', reason: 'ON_ADMIN_REQUEST' }),
      expect.objectContaining({ nodeId: 'imp-b', state: 'TAKING_OVER', stateLabel: 'Taking Over' }),
    ]);
    expect((await h.call('GET', '/v1/groups/prg-1', READ)).status).toBe(200);
    expect(await groupOf('imp-a')).toBe('prg-1');
  });

  it('403 for a reader, 401 without a token; the group stays', async () => {
    await normalPair(h);
    expectProblem(await h.call('DELETE', '/v1/groups/prg-1', READ), 403);
    expectProblem(await h.call('DELETE', '/v1/groups/prg-1', { scopes: null }), 401);
    expect(await groupNames()).toEqual(['prg-1']);
  });
});

describe('GET /v1/groups/{name}/history', () => {
  it('newest first, at most limit lines, each { at, nodeId, from, to, reason, cause } and by for an admin action', async () => {
    const { a } = await normalPair(h);
    const created = new Date(h.clock.t).toISOString();
    h.clock.t += 1000;
    const f = await h.call('POST', '/v1/groups/prg-1/failover', { body: { nodeId: 'imp-a' } });
    await obeyStop(h, a);
    await h.runTask({ task: 'moveUsers', group: 'prg-1', operationId: f.body.operation.id });
    const done = new Date(h.clock.t).toISOString();

    const all = await h.call('GET', '/v1/groups/prg-1/history', READ);
    expect(all.status).toBe(200);
    const lines = all.body.history;
    for (const line of lines) {
      const keys = ['at', 'cause', 'from', 'nodeId', 'reason', 'to'];
      // Lines of an admin action (HA on, the failover) name who asked; the control plane's own do not.
      expect(Object.keys(line).sort()).toEqual('by' in line ? [...keys, 'by'].sort() : keys);
      expect(line.cause).toEqual(expect.any(String));
    }
    const ats = lines.map((l: { at: string }) => l.at);
    expect(ats).toEqual([...ats].sort().reverse());
    expect(ats[0]).toBe(done);
    expect(ats.at(-1)).toBe(created);
    const byNode = (id: string) =>
      lines
        .filter((l: { nodeId: string }) => l.nodeId === id)
        .map((l: any) => [l.from, l.to, l.reason])
        .reverse();
    expect(byNode('imp-a')).toEqual([
      [null, 'NORMAL', 'NORMAL'],
      ['NORMAL', 'FAILING_OVER', 'ON_ADMIN_REQUEST'],
      ['FAILING_OVER', 'IDLE', 'ON_ADMIN_REQUEST'],
    ]);
    expect(byNode('imp-b')).toEqual([
      [null, 'NORMAL', 'NORMAL'],
      ['NORMAL', 'TAKING_OVER', 'ON_ADMIN_REQUEST'],
      ['TAKING_OVER', 'RUNNING_IN_BACKUP_MODE', 'ON_ADMIN_REQUEST'],
    ]);

    const two = await h.call('GET', '/v1/groups/prg-1/history', { query: { limit: '2' }, ...READ });
    expect(two.status).toBe(200);
    expect(two.body.history).toEqual(lines.slice(0, 2));
  });

  it('400 naming limit for 0, 1001 or a word', async () => {
    await normalPair(h);
    for (const limit of ['0', '1001', 'ten', '1.5']) {
      expectProblem(await h.call('GET', '/v1/groups/prg-1/history', { query: { limit }, ...READ }), 400, [
        'limit',
      ]);
    }
  });

  it('404 for an unknown group on GET, PATCH, DELETE and history', async () => {
    await normalPair(h);
    expectProblem(await h.call('GET', '/v1/groups/prg-9', READ), 404);
    expectProblem(await h.call('PATCH', '/v1/groups/prg-9', { body: { description: 'x' } }), 404);
    expectProblem(await h.call('DELETE', '/v1/groups/prg-9'), 404);
    expectProblem(await h.call('GET', '/v1/groups/prg-9/history', READ), 404);
    expectProblem(await h.call('GET', '/v1/groups/prg-9/history', { scopes: null }), 401);
    expect(await groupNames()).toEqual(['prg-1']);
  });
});
