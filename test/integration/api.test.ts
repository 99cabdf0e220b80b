import { describe, expect, it } from 'vitest';
import { EMBEDDED, eventually, useTarget } from './support/target';
import { pair } from './support/agent';
import { waitForStates } from './support/states';

const env = useTarget();

const NORMAL = ['NORMAL/NORMAL', 'NORMAL/NORMAL'];

describe.concurrent('the API as a client sees it (embedded default)', () => {
  it('adding a user while a node of the cluster is failed over → 409; the relogin window comes from the serving node', async () => {
    const p = await pair(env.api, env.t.url);
    try {
      await waitForStates(env.api, p.group, NORMAL);
      expect(
        (
          await env.api.patch(`/v1/nodes/${p.b.nodeId}/parameters`, {
            clientReloginLowerLimit: 30,
            clientReloginUpperLimit: 60,
          })
        ).status,
      ).toBe(200);
      const user = await env.api.post('/v1/users', { userId: `ann-${p.group}`, clusterId: p.cluster });
      expect(user.status).toBe(201);
      const homeA = user.body.homeNode === p.a.nodeId;
      const home = homeA ? p.a : p.b;
      await env.api.post(`/v1/groups/${p.group}/failover`, { nodeId: home.nodeId });
      await eventually('the failover to complete', async () =>
        (await env.api.get(`/v1/users/ann-${p.group}`)).body.currentNode !== home.nodeId ? true : undefined,
      );
      const refused = await env.api.post('/v1/users', { userId: `bob-${p.group}`, clusterId: p.cluster });
      expect(refused.status).toBe(409);
      expect(refused.contentType).toBe('application/problem+json');
      expect(refused.body.detail).toContain('failed over');
      const shown = (await env.api.get(`/v1/users/ann-${p.group}`)).body;
      const serving = homeA ? { lower: 30, upper: 60 } : { lower: 120, upper: 537 };
      expect(shown.relogin).toMatchObject({
        lowerLimitSeconds: serving.lower,
        upperLimitSeconds: serving.upper,
      });
      expect(shown.relogin.afterSeconds).toBeGreaterThanOrEqual(serving.lower);
      expect(shown.relogin.afterSeconds).toBeLessThanOrEqual(serving.upper);
    } finally {
      p.stop();
    }
  });

  it('problem+json for bad input, missing or wrong tokens, another node’s token, an action in the wrong state', async () => {
    const p = await pair(env.api, env.t.url);
    try {
      await waitForStates(env.api, p.group, NORMAL);
      const cases: [string, Promise<{ status: number; contentType: string | null; body: any }>, number][] = [
        ['malformed JSON', env.api.request('POST', '/v1/groups', { raw: '{"name":' }), 400],
        ['schema violation', env.api.post('/v1/nodes', { nodeId: 'x'.repeat(65) }), 400],
        ['no token', env.api.request('GET', '/v1/groups', { token: null }), 401],
        ['unknown token', env.api.request('GET', '/v1/groups', { token: 'prg_admin_forged' }), 401],
        [
          'read token on an admin route',
          env.api.request('POST', '/v1/groups/x/recover', { as: 'read' }),
          403,
        ],
        ['unknown group', env.api.get('/v1/groups/no-such-group'), 404],
        [
          'failover of a node that is not Normal',
          env.api.post(`/v1/groups/${p.group}/fallback`, { nodeId: p.a.nodeId }),
          409,
        ],
        [
          'a node token used for another node',
          env.api.request('POST', `/v1/nodes/${p.b.nodeId}/heartbeat`, {
            token: p.a.token,
            body: { bootId: 'x', boot: 0, sequence: 1, database: 'up' },
          }),
          403,
        ],
        [
          'a bad node token',
          env.api.request('POST', `/v1/nodes/${p.b.nodeId}/heartbeat`, {
            token: 'prgn.bad.bad',
            body: { bootId: 'x', boot: 0, sequence: 1, database: 'up' },
          }),
          401,
        ],
      ];
      // On AWS, API Gateway's JWT authorizer answers bad admin/read tokens itself, with its
      // own JSON body; HTTP APIs cannot reshape it. Everything the handlers answer is problem+json.
      const byAuthorizer = new Set(['no token', 'unknown token', 'read token on an admin route']);
      for (const [what, reply, status] of cases) {
        const r = await reply;
        expect(r.status, what).toBe(status);
        if (!EMBEDDED && byAuthorizer.has(what)) continue;
        expect(r.contentType, what).toBe('application/problem+json');
        expect(r.body, what).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
      }
      const invalid = await env.api.post('/v1/nodes', { nodeId: 'x'.repeat(65) });
      expect(invalid.body.errors.map((e: { path: string }) => e.path)).toContain('nodeId');
    } finally {
      p.stop();
    }
  });

  it.runIf(EMBEDDED)(
    'GET /v1/events streams every state change as server-sent events (read token)',
    async () => {
      const p = await pair(env.api, env.t.url, { ha: false });
      const controller = new AbortController();
      try {
        const refused = await fetch(`${env.t.url}/v1/events`, { signal: controller.signal });
        expect(refused.status).toBe(401);
        await refused.text();
        const res = await fetch(`${env.t.url}/v1/events`, {
          headers: { authorization: `Bearer ${env.t.readToken}` },
          signal: controller.signal,
        });
        expect(res.headers.get('content-type')).toBe('text/event-stream');
        const reader = res.body!.getReader();
        let text = '';
        const created = await env.api.post('/v1/groups', {
          name: p.group,
          nodes: [p.a.nodeId, p.b.nodeId],
          highAvailability: true,
        });
        expect(created.status).toBe(201);
        await eventually('two NodeStateChanged events of the group', async () => {
          const { value } = await reader.read();
          text += new TextDecoder().decode(value);
          const mine = text
            .split('\n\n')
            .filter((block) => block.includes('event: NodeStateChanged') && block.includes(p.group));
          return mine.length >= 2 ? mine : undefined;
        });
        const first = JSON.parse(
          text
            .split('\n')
            .find((l) => l.startsWith('data: ') && l.includes(p.group))!
            .slice(6),
        );
        expect(first).toMatchObject({
          source: 'presence-ha',
          'detail-type': 'NodeStateChanged',
          detail: { group: p.group },
        });
        // The same lines go to the log as JSON.
        expect(
          env.t.embedded === null ||
            env.t.events.some((l) => l.includes('"NodeStateChanged"') && l.includes(p.group)),
        ).toBe(true);
      } finally {
        controller.abort();
        p.stop();
      }
    },
  );
});
