import { beforeEach, describe, expect, it } from 'vitest';
import { apiHarness, type ApiHarness } from '../../support/apiHarness';
import { beat, expectProblem, registerNode } from '../../support/apiPair';

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
});

const READ = { scopes: ['prg/read'] };

const registration = (nodeId: string, extra: Record<string, unknown> = {}) => ({
  nodeId,
  hostname: `${nodeId}.example.com`,
  clusterId: 'c1',
  softwareVersion: '15.0',
  publisherId: 'pub-1',
  ...extra,
});

/** The registered node ids, as a reader lists them. */
async function nodeIds(): Promise<string[]> {
  const res = await h.call('GET', '/v1/nodes', READ);
  expect(res.status).toBe(200);
  return res.body.nodes.map((n: { nodeId: string }) => n.nodeId);
}

describe('POST /v1/nodes', () => {
  it('201 with the node and its token; no view of the node ever contains the token hash', async () => {
    const res = await h.call('POST', '/v1/nodes', { body: registration('imp-a') });
    expect(res.status).toBe(201);
    expect(res.contentType).toBe('application/json');
    expect(res.body).toEqual({
      token: expect.any(String),
      node: {
        nodeId: 'imp-a',
        hostname: 'imp-a.example.com',
        clusterId: 'c1',
        softwareVersion: '15.0',
        publisherId: 'pub-1',
        group: null,
        userCount: 0,
        lastHeartbeatAt: null,
        services: {},
        database: null,
        registeredAt: new Date(h.clock.t).toISOString(),
        legacyToken: false,
      },
    });
    expect(res.body.token.length).toBeGreaterThanOrEqual(20);
    const listed = await h.call('GET', '/v1/nodes', READ);
    const shown = await h.call('GET', '/v1/nodes/imp-a', READ);
    for (const text of [res, listed, shown].map((r) => JSON.stringify(r.body))) {
      expect(text).not.toMatch(/tokenHash/i);
    }
    // The token shown once is never shown again.
    expect(JSON.stringify(listed.body)).not.toContain(res.body.token);
    expect(JSON.stringify(shown.body)).not.toContain(res.body.token);
  });

  it('the token issued at registration authenticates the node’s heartbeats', async () => {
    const a = await registerNode(h, 'imp-a');
    const res = await beat(h, a);
    expect(res.status).toBe(200);
  });

  it('409 when the nodeId is already registered; the first registration and its token are kept', async () => {
    const a = await registerNode(h, 'imp-a');
    const again = await h.call('POST', '/v1/nodes', {
      body: registration('imp-a', { hostname: 'other.example.com', clusterId: 'c2' }),
    });
    expectProblem(again, 409);
    expect(again.body.detail).toContain('imp-a is already registered');
    expect(again.body.detail).toContain('/v1/nodes/imp-a/token');
    const shown = await h.call('GET', '/v1/nodes/imp-a', READ);
    expect(shown.body).toMatchObject({ hostname: 'imp-a.example.com', clusterId: 'c1' });
    expect((await beat(h, a)).status).toBe(200);
  });

  it('400 naming the field for an invalid hostname or a 65-character nodeId; nothing is registered', async () => {
    const badHost = await h.call('POST', '/v1/nodes', {
      body: registration('imp-a', { hostname: 'imp_a!.example.com' }),
    });
    expectProblem(badHost, 400, ['hostname']);
    const longId = await h.call('POST', '/v1/nodes', {
      body: registration('n'.repeat(65), { hostname: 'imp-long.example.com' }),
    });
    expectProblem(longId, 400, ['nodeId']);
    const badAddress = await h.call('POST', '/v1/nodes', {
      body: registration('imp-b', { hostname: '10.0.0.256' }),
    });
    expectProblem(badAddress, 400, ['hostname']);
    const missing = await h.call('POST', '/v1/nodes', { body: { nodeId: 'imp-c' } });
    expectProblem(missing, 400, ['clusterId', 'hostname', 'publisherId', 'softwareVersion']);
    const extra = await h.call('POST', '/v1/nodes', { body: registration('imp-d', { role: 'primary' }) });
    expectProblem(extra, 400);
    expect(await nodeIds()).toEqual([]);
  });

  it('a 64-character nodeId is accepted', async () => {
    const id = 'n'.repeat(64);
    const res = await h.call('POST', '/v1/nodes', {
      body: registration(id, { hostname: 'imp-long.example.com' }),
    });
    expect(res.status).toBe(201);
    expect(await nodeIds()).toEqual([id]);
  });

  it('400 problem+json for malformed JSON or no body, 413 for a body over 256 KiB; nothing is registered', async () => {
    const malformed = await h.call('POST', '/v1/nodes', { rawBody: '{bad' });
    expectProblem(malformed, 400);
    const empty = await h.call('POST', '/v1/nodes', {});
    expectProblem(empty, 400);
    const big = await h.call('POST', '/v1/nodes', {
      rawBody: JSON.stringify(registration('imp-a', { hostname: 'a'.repeat(257 * 1024) })),
    });
    expectProblem(big, 413);
    expect(await nodeIds()).toEqual([]);
  });

  it('401 without a token, 403 with only the read scope; nothing is registered', async () => {
    expectProblem(await h.call('POST', '/v1/nodes', { body: registration('imp-a'), scopes: null }), 401);
    const reader = await h.call('POST', '/v1/nodes', { body: registration('imp-a'), ...READ });
    expectProblem(reader, 403);
    expect(reader.body.detail).toContain('prg/admin');
    expect(await nodeIds()).toEqual([]);
  });
});

describe('GET /v1/nodes and GET /v1/nodes/{nodeId}', () => {
  it('a reader lists every node and shows one', async () => {
    await registerNode(h, 'imp-b');
    await registerNode(h, 'imp-a', { clusterId: 'c2' });
    const list = await h.call('GET', '/v1/nodes', READ);
    expect(list.status).toBe(200);
    expect(
      list.body.nodes.map((n: { nodeId: string; clusterId: string }) => [n.nodeId, n.clusterId]),
    ).toEqual([
      ['imp-a', 'c2'],
      ['imp-b', 'c1'],
    ]);
    const one = await h.call('GET', '/v1/nodes/imp-a', READ);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(list.body.nodes[0]);
    expect(one.body).toMatchObject({ nodeId: 'imp-a', group: null, userCount: 0, lastHeartbeatAt: null });
  });

  it('shows the last heartbeat and the services the node reported', async () => {
    const a = await registerNode(h, 'imp-a');
    a.services['Cisco SIP Proxy'] = 'stopped';
    await beat(h, a);
    const one = await h.call('GET', '/v1/nodes/imp-a', READ);
    expect(one.body).toMatchObject({
      lastHeartbeatAt: new Date(h.clock.t).toISOString(),
      database: 'up',
      services: { 'Cisco SIP Proxy': 'stopped', 'Cisco XCP Router': 'running' },
    });
  });

  it('404 for an unknown node, 400 naming nodeId for an invalid one, 401 without a token', async () => {
    const unknown = await h.call('GET', '/v1/nodes/imp-z', READ);
    expectProblem(unknown, 404);
    expect(unknown.body.detail).toContain('imp-z');
    expectProblem(await h.call('GET', `/v1/nodes/${'n'.repeat(65)}`, READ), 400, ['nodeId']);
    expectProblem(await h.call('GET', '/v1/nodes', { scopes: null }), 401);
    expectProblem(await h.call('GET', '/v1/nodes/imp-z', { scopes: null }), 401);
  });
});

describe('POST /v1/nodes/{nodeId}/token', () => {
  it('rotation returns a new token: it works for heartbeats and the old one gets 401', async () => {
    const a = await registerNode(h, 'imp-a');
    const old = a.token;
    const rotated = await h.call('POST', '/v1/nodes/imp-a/token');
    expect(rotated.status).toBe(200);
    expect(rotated.body).toEqual({ token: expect.any(String) });
    expect(rotated.body.token).not.toBe(old);
    expectProblem(await beat(h, { ...a, token: old }), 401);
    expect((await beat(h, { ...a, token: rotated.body.token })).status).toBe(200);
  });

  it('404 for an unknown node, 403 for a reader (the token stays valid), 401 without a token', async () => {
    const a = await registerNode(h, 'imp-a');
    expectProblem(await h.call('POST', '/v1/nodes/imp-z/token'), 404);
    expectProblem(await h.call('POST', '/v1/nodes/imp-a/token', READ), 403);
    expectProblem(await h.call('POST', '/v1/nodes/imp-a/token', { scopes: null }), 401);
    expect((await beat(h, a)).status).toBe(200);
  });
});

describe('DELETE /v1/nodes/{nodeId}', () => {
  it('204, then the node is unknown (404) and its token no longer authenticates', async () => {
    const a = await registerNode(h, 'imp-a');
    const res = await h.call('DELETE', '/v1/nodes/imp-a');
    expect(res.status).toBe(204);
    expect(res.body).toBeUndefined();
    expectProblem(await h.call('GET', '/v1/nodes/imp-a', READ), 404);
    expectProblem(await h.call('DELETE', '/v1/nodes/imp-a'), 404);
    expectProblem(await beat(h, a), 401);
    expect(await nodeIds()).toEqual([]);
  });

  it('409 while the node is in a group, naming the group; the node stays', async () => {
    await registerNode(h, 'imp-a');
    await registerNode(h, 'imp-b');
    const g = await h.call('POST', '/v1/groups', { body: { name: 'prg-1', nodes: ['imp-a', 'imp-b'] } });
    expect(g.status).toBe(201);
    const res = await h.call('DELETE', '/v1/nodes/imp-a');
    expectProblem(res, 409);
    expect(res.body.detail).toContain('prg-1');
    expect((await h.call('GET', '/v1/nodes/imp-a', READ)).body.group).toBe('prg-1');
  });

  it('409 while users have it as their home node; 204 once they are gone', async () => {
    // alice gets imp-a from the sync agent, then is moved by hand to imp-x, in no group.
    await registerNode(h, 'imp-a');
    await registerNode(h, 'imp-x');
    expect((await h.call('POST', '/v1/groups', { body: { name: 'prg-1', nodes: ['imp-a'] } })).status).toBe(
      201,
    );
    expect((await h.call('POST', '/v1/users', { body: { userId: 'alice', clusterId: 'c1' } })).status).toBe(
      201,
    );
    const mode = await h.call('PUT', '/v1/enterprise-parameters', { body: { userAssignmentMode: 'NONE' } });
    expect(mode.status).toBe(200);
    expect((await h.call('PUT', '/v1/users/alice/home', { body: { nodeId: 'imp-x' } })).status).toBe(200);
    const res = await h.call('DELETE', '/v1/nodes/imp-x');
    expectProblem(res, 409);
    expect(res.body.detail).toContain('home of 1 user');
    expect((await h.call('GET', '/v1/nodes/imp-x', READ)).body.userCount).toBe(1);
    expect((await h.call('DELETE', '/v1/users/alice')).status).toBe(204);
    expect((await h.call('DELETE', '/v1/nodes/imp-x')).status).toBe(204);
  });

  it('403 for a reader and 401 without a token; the node stays', async () => {
    await registerNode(h, 'imp-a');
    expectProblem(await h.call('DELETE', '/v1/nodes/imp-a', READ), 403);
    expectProblem(await h.call('DELETE', '/v1/nodes/imp-a', { scopes: null }), 401);
    expect(await nodeIds()).toEqual(['imp-a']);
  });
});

describe('GET and PATCH /v1/nodes/{nodeId}/parameters', () => {
  const params = async (id = 'imp-a') => (await h.call('GET', `/v1/nodes/${id}/parameters`, READ)).body;

  it('a reader sees the defaults: clientReloginLowerLimit 120, clientReloginUpperLimit 537', async () => {
    await registerNode(h, 'imp-a');
    const res = await h.call('GET', '/v1/nodes/imp-a/parameters', READ);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ clientReloginLowerLimit: 120, clientReloginUpperLimit: 537 });
  });

  it('PATCH of one field changes it and keeps the other', async () => {
    await registerNode(h, 'imp-a');
    const res = await h.call('PATCH', '/v1/nodes/imp-a/parameters', {
      body: { clientReloginUpperLimit: 300 },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ clientReloginLowerLimit: 120, clientReloginUpperLimit: 300 });
    expect(await params()).toEqual({ clientReloginLowerLimit: 120, clientReloginUpperLimit: 300 });
  });

  it('PATCH raising both limits together is accepted', async () => {
    await registerNode(h, 'imp-a');
    const res = await h.call('PATCH', '/v1/nodes/imp-a/parameters', {
      body: { clientReloginLowerLimit: 700, clientReloginUpperLimit: 900 },
    });
    expect(res.status).toBe(200);
    expect(await params()).toEqual({ clientReloginLowerLimit: 700, clientReloginUpperLimit: 900 });
  });

  it('PATCH making the lower limit exceed the upper one → 400 naming clientReloginLowerLimit; nothing is stored', async () => {
    await registerNode(h, 'imp-a');
    const res = await h.call('PATCH', '/v1/nodes/imp-a/parameters', {
      body: { clientReloginLowerLimit: 600 },
    });
    expectProblem(res, 400, ['clientReloginLowerLimit']);
    expect(res.body.errors[0].message).toContain('537');
    expect(await params()).toEqual({ clientReloginLowerLimit: 120, clientReloginUpperLimit: 537 });
  });

  it('400 for a value out of 0–3600, an unknown field, an empty patch or malformed JSON; nothing is stored', async () => {
    await registerNode(h, 'imp-a');
    const patch = (o: { body?: unknown; rawBody?: string }) =>
      h.call('PATCH', '/v1/nodes/imp-a/parameters', o);
    expectProblem(await patch({ body: { clientReloginUpperLimit: 3601 } }), 400, ['clientReloginUpperLimit']);
    expectProblem(await patch({ body: { clientReloginLowerLimit: -1 } }), 400, ['clientReloginLowerLimit']);
    expectProblem(await patch({ body: { clientReloginLowerLimit: 1.5 } }), 400, ['clientReloginLowerLimit']);
    expectProblem(await patch({ body: { reloginDelay: 10 } }), 400);
    expectProblem(await patch({ body: {} }), 400);
    expectProblem(await patch({ rawBody: '{bad' }), 400);
    expectProblem(
      await patch({ rawBody: JSON.stringify({ clientReloginLowerLimit: 1, pad: 'x'.repeat(257 * 1024) }) }),
      413,
    );
    expect(await params()).toEqual({ clientReloginLowerLimit: 120, clientReloginUpperLimit: 537 });
  });

  it('404 for an unknown node; 403 for a reader’s PATCH; 401 without a token', async () => {
    await registerNode(h, 'imp-a');
    expectProblem(await h.call('GET', '/v1/nodes/imp-z/parameters', READ), 404);
    expectProblem(
      await h.call('PATCH', '/v1/nodes/imp-z/parameters', { body: { clientReloginUpperLimit: 300 } }),
      404,
    );
    expectProblem(
      await h.call('PATCH', '/v1/nodes/imp-a/parameters', {
        body: { clientReloginUpperLimit: 300 },
        ...READ,
      }),
      403,
    );
    expectProblem(await h.call('GET', '/v1/nodes/imp-a/parameters', { scopes: null }), 401);
    expect(await params()).toEqual({ clientReloginLowerLimit: 120, clientReloginUpperLimit: 537 });
  });
});
