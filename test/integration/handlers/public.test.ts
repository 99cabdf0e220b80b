import { beforeAll, describe, expect, it } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import { apiHarness, type ApiHarness } from '../../support/apiHarness';
import { localContext } from '../../../local/apiGatewayEvent';
import { ROUTES, routeKey } from '../../../lambdas/handlers/definitions';

// Neither route reads or writes a table: one harness serves the whole file.
let h: ApiHarness;
beforeAll(async () => {
  h = await apiHarness();
});

describe('GET /v1/health', () => {
  it('200 without a token', async () => {
    const res = await h.call('GET', '/v1/health', { scopes: null });
    expect(res.status).toBe(200);
    expect(res.contentType).toBe('application/json');
    expect(res.body).toEqual({ status: 'ok' });
  });
});

describe('GET /v1/openapi.json', () => {
  it('200 without a token: a valid OpenAPI 3.1 document', async () => {
    const res = await h.call('GET', '/v1/openapi.json', { scopes: null });
    expect(res.status).toBe(200);
    expect(res.contentType).toBe('application/json');
    expect(res.body.openapi).toMatch(/^3\.1\./);
    const validator = new Validator();
    const result = await validator.validate(res.body);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('lists every route of the route table, by method and path, and no other', async () => {
    const { body } = await h.call('GET', '/v1/openapi.json', { scopes: null });
    const documented = Object.entries(body.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, item]) =>
        Object.keys(item)
          .filter((k) => ['get', 'put', 'post', 'delete', 'patch'].includes(k))
          .map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(ROUTES.map(routeKey).sort());
  });

  it('declares the auth each route takes: none for public routes, the bearer scope for the others', async () => {
    const { body } = await h.call('GET', '/v1/openapi.json', { scopes: null });
    for (const r of ROUTES) {
      const op = body.paths[r.path][r.method.toLowerCase()];
      expect(op, routeKey(r)).toBeDefined();
      if (r.auth === 'none') {
        expect(op.security ?? [], routeKey(r)).toEqual([]);
        expect(op.responses['401'], routeKey(r)).toBeUndefined();
      } else {
        expect(op.security, routeKey(r)).toEqual([{ bearer: r.auth === 'node' ? [] : [`prg/${r.auth}`] }]);
        expect(op.responses['401'], routeKey(r)).toBeDefined();
        expect(op.responses['403'], routeKey(r)).toBeDefined();
      }
      // Every route documents the problem+json it answers bad input with.
      expect(Object.keys(op.responses['400'].content), routeKey(r)).toEqual(['application/problem+json']);
    }
  });
});

describe('public routes', () => {
  it('a route of another function is not served here: 404 problem+json', async () => {
    const { handler } = await import('../../../lambdas/handlers/public');
    const res = (await handler(
      { routeKey: 'GET /v1/nodes', rawPath: '/v1/nodes', headers: {}, requestContext: {} } as never,
      localContext('public'),
    )) as { statusCode: number; headers: Record<string, string>; body: string };
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(res.body).detail).toContain('GET /v1/nodes');
  });

  it('health and the document answer a reader and an admin the same', async () => {
    for (const scopes of [['prg/read'], ['prg/admin'], null]) {
      expect((await h.call('GET', '/v1/health', { scopes })).status).toBe(200);
      expect((await h.call('GET', '/v1/openapi.json', { scopes })).status).toBe(200);
    }
  });
});
