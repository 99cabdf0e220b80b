import { beforeEach, describe, expect, it } from 'vitest';
import { apiHarness, type ApiHarness } from '../../support/apiHarness';
import { expectProblem } from '../../support/apiPair';

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
});

const READ = { scopes: ['prg/read'] };

/** The manual's defaults, as docs/data-model.md lists them. */
const DEFAULTS = {
  servicePort: 22001,
  adminRpcPort: 20075,
  criticalServiceDelay: 90,
  enableAutomaticFallback: false,
  automaticFallbackDelay: 1800,
  initializationKeepAliveTimeout: 120,
  keepAliveTimeout: 60,
  keepAliveInterval: 15,
  criticalServices: [
    'Cisco Client Profile Agent',
    'Cisco Sync Agent',
    'Cisco XCP Router',
    'Cisco SIP Proxy',
    'Cisco Presence Engine',
  ],
};

const clusterParams = async (clusterId = 'c1') => {
  const res = await h.call('GET', `/v1/clusters/${clusterId}/parameters`, READ);
  expect(res.status).toBe(200);
  return res.body;
};

const patch = (o: { body?: unknown; rawBody?: string; scopes?: string[] | null }) =>
  h.call('PATCH', '/v1/clusters/c1/parameters', o);

describe('GET /v1/clusters/{clusterId}/parameters', () => {
  it('a cluster never configured has the manual’s defaults', async () => {
    const res = await h.call('GET', '/v1/clusters/c1/parameters', READ);
    expect(res.status).toBe(200);
    expect(res.contentType).toBe('application/json');
    expect(res.body).toEqual(DEFAULTS);
  });

  it('400 naming clusterId for an invalid one, 401 without a token', async () => {
    expectProblem(await h.call('GET', `/v1/clusters/${'c'.repeat(65)}/parameters`, READ), 400, ['clusterId']);
    expectProblem(await h.call('GET', '/v1/clusters/c1/parameters', { scopes: null }), 401);
  });
});

describe('PATCH /v1/clusters/{clusterId}/parameters', () => {
  it('changes one value and keeps the others; other clusters keep theirs', async () => {
    const res = await patch({ body: { criticalServiceDelay: 30 } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...DEFAULTS, criticalServiceDelay: 30 });
    expect(await clusterParams()).toEqual({ ...DEFAULTS, criticalServiceDelay: 30 });
    expect(await clusterParams('c2')).toEqual(DEFAULTS);
    const again = await patch({
      body: { enableAutomaticFallback: true, criticalServices: ['Cisco SIP Proxy'] },
    });
    expect(again.status).toBe(200);
    expect(await clusterParams()).toEqual({
      ...DEFAULTS,
      criticalServiceDelay: 30,
      enableAutomaticFallback: true,
      criticalServices: ['Cisco SIP Proxy'],
    });
  });

  it('keepAliveTimeout not above keepAliveInterval → 400 naming keepAliveTimeout; the stored value is unchanged', async () => {
    expect((await patch({ body: { keepAliveTimeout: 45 } })).status).toBe(200);
    for (const keepAliveTimeout of [15, 10]) {
      const res = await patch({ body: { keepAliveTimeout } });
      expectProblem(res, 400, ['keepAliveTimeout']);
      expect(res.body.errors[0].message).toContain('keepAliveInterval');
    }
    const interval = await patch({ body: { keepAliveInterval: 45 } });
    expectProblem(interval, 400, ['keepAliveTimeout']);
    expect(await clusterParams()).toEqual({ ...DEFAULTS, keepAliveTimeout: 45 });
  });

  it('initializationKeepAliveTimeout below keepAliveTimeout → 400 naming it; nothing is stored', async () => {
    const res = await patch({ body: { initializationKeepAliveTimeout: 59 } });
    expectProblem(res, 400, ['initializationKeepAliveTimeout']);
    expect(await clusterParams()).toEqual(DEFAULTS);
  });

  it('raising interval, timeout and initialization timeout together in one PATCH is accepted', async () => {
    const body = { keepAliveInterval: 90, keepAliveTimeout: 300, initializationKeepAliveTimeout: 600 };
    const res = await patch({ body });
    expect(res.status).toBe(200);
    expect(await clusterParams()).toEqual({ ...DEFAULTS, ...body });
  });

  it('400 naming the field for a value out of range or of the wrong type; nothing is stored', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ servicePort: 0 }, 'servicePort'],
      [{ adminRpcPort: 65536 }, 'adminRpcPort'],
      [{ criticalServiceDelay: 3601 }, 'criticalServiceDelay'],
      [{ automaticFallbackDelay: 86401 }, 'automaticFallbackDelay'],
      [{ keepAliveInterval: 301 }, 'keepAliveInterval'],
      [{ keepAliveTimeout: 3601 }, 'keepAliveTimeout'],
      [{ initializationKeepAliveTimeout: 3601 }, 'initializationKeepAliveTimeout'],
      [{ enableAutomaticFallback: 'yes' }, 'enableAutomaticFallback'],
      [{ criticalServiceDelay: 1.5 }, 'criticalServiceDelay'],
      [{ criticalServices: [] }, 'criticalServices'],
      [{ criticalServices: Array.from({ length: 33 }, (_, i) => `svc-${i}`) }, 'criticalServices'],
    ];
    for (const [body, field] of cases) {
      const res = await patch({ body });
      expectProblem(res, 400);
      expect(res.body.errors.map((e: { path: string }) => e.path.split('.')[0])).toContain(field);
    }
    expect(await clusterParams()).toEqual(DEFAULTS);
  });

  it('400 for an unknown field, naming it; nothing is stored', async () => {
    const res = await patch({ body: { keepAliveTimeout: 90, heartbeatTimeout: 30 } });
    expectProblem(res, 400);
    expect(JSON.stringify(res.body.errors)).toContain('heartbeatTimeout');
    expect(await clusterParams()).toEqual(DEFAULTS);
  });

  it('400 problem+json for malformed JSON, 413 over 256 KiB, 403 for a reader, 401 without a token; nothing is stored', async () => {
    expectProblem(await patch({ rawBody: '{bad' }), 400);
    expectProblem(
      await patch({ rawBody: JSON.stringify({ criticalServices: ['x'.repeat(257 * 1024)] }) }),
      413,
    );
    expectProblem(await patch({ body: { criticalServiceDelay: 30 }, ...READ }), 403);
    expectProblem(await patch({ body: { criticalServiceDelay: 30 }, scopes: null }), 401);
    expect(await clusterParams()).toEqual(DEFAULTS);
  });
});

describe('GET and PUT /v1/enterprise-parameters', () => {
  it('the default user assignment mode is BALANCED', async () => {
    const res = await h.call('GET', '/v1/enterprise-parameters', READ);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ userAssignmentMode: 'BALANCED' });
  });

  it('PUT ACTIVE_STANDBY is kept, then NONE', async () => {
    for (const userAssignmentMode of ['ACTIVE_STANDBY', 'NONE']) {
      const res = await h.call('PUT', '/v1/enterprise-parameters', { body: { userAssignmentMode } });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ userAssignmentMode });
      expect((await h.call('GET', '/v1/enterprise-parameters', READ)).body).toEqual({ userAssignmentMode });
    }
  });

  it('a body of exactly 256 KiB is accepted; one byte more → 413 and nothing is stored', async () => {
    const json = '{"userAssignmentMode":"NONE"}';
    const padded = (bytes: number) => `${json.slice(0, -1)}${' '.repeat(bytes - json.length)}}`;
    expect(Buffer.byteLength(padded(256 * 1024))).toBe(262_144);
    expect((await h.call('PUT', '/v1/enterprise-parameters', { rawBody: padded(256 * 1024) })).status).toBe(
      200,
    );
    await h.call('PUT', '/v1/enterprise-parameters', { body: { userAssignmentMode: 'BALANCED' } });
    const over = await h.call('PUT', '/v1/enterprise-parameters', { rawBody: padded(256 * 1024 + 1) });
    expectProblem(over, 413);
    expect(over.body.detail).toContain('262145');
    expect((await h.call('GET', '/v1/enterprise-parameters', READ)).body).toEqual({
      userAssignmentMode: 'BALANCED',
    });
  });

  it('PUT of an unknown mode → 400 naming userAssignmentMode; the mode is unchanged', async () => {
    const put = (o: { body?: unknown; rawBody?: string; scopes?: string[] | null }) =>
      h.call('PUT', '/v1/enterprise-parameters', o);
    const bad = await put({ body: { userAssignmentMode: 'ROUND_ROBIN' } });
    expectProblem(bad, 400, ['userAssignmentMode']);
    expect(bad.body.errors[0].message).toContain('BALANCED');
    expectProblem(await put({ body: { userAssignmentMode: 'balanced' } }), 400, ['userAssignmentMode']);
    expectProblem(await put({ body: {} }), 400, ['userAssignmentMode']);
    expectProblem(await put({ body: { userAssignmentMode: 'NONE', extra: 1 } }), 400);
    expectProblem(await put({ rawBody: '{bad' }), 400);
    expectProblem(
      await put({ rawBody: JSON.stringify({ userAssignmentMode: 'x'.repeat(257 * 1024) }) }),
      413,
    );
    expectProblem(await put({ body: { userAssignmentMode: 'NONE' }, ...READ }), 403);
    expectProblem(await put({ body: { userAssignmentMode: 'NONE' }, scopes: null }), 401);
    expectProblem(await h.call('GET', '/v1/enterprise-parameters', { scopes: null }), 401);
    expect((await h.call('GET', '/v1/enterprise-parameters', READ)).body).toEqual({
      userAssignmentMode: 'BALANCED',
    });
  });
});
