import { beforeAll, describe, expect, it } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import { apiHarness, type ApiHarness } from '../../support/apiHarness';
import { localContext } from '../../../local/apiGatewayEvent';
import { ROUTE_LIST } from '../../../lambdas/contract';

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
    expect(documented.sort()).toEqual(ROUTE_LIST.map((r) => r.key).sort());
  });

  it('declares the auth each route takes: none for public routes, the bearer scope for the others', async () => {
    const { body } = await h.call('GET', '/v1/openapi.json', { scopes: null });
    for (const r of ROUTE_LIST) {
      const op = body.paths[r.path][r.method.toLowerCase()];
      expect(op, r.key).toBeDefined();
      if (r.spec.auth === 'none') {
        expect(op.security ?? [], r.key).toEqual([]);
        expect(op.responses['401'], r.key).toBeUndefined();
      } else {
        expect(op.security, r.key).toEqual([
          { bearer: r.spec.auth === 'node' ? [] : [`prg/${r.spec.auth}`] },
        ]);
        expect(op.responses['401'], r.key).toBeDefined();
        expect(op.responses['403'], r.key).toBeDefined();
      }
      // Every route documents the problem+json it answers bad input with.
      expect(Object.keys(op.responses['400'].content), r.key).toEqual(['application/problem+json']);
    }
  });
});

describe('the OpenAPI document describes every answer', () => {
  it('each route documents its success status from the route table, with the schema of its body', async () => {
    const { body } = await h.call('GET', '/v1/openapi.json', { scopes: null });
    for (const r of ROUTE_LIST) {
      const op = body.paths[r.path][r.method.toLowerCase()];
      const success = op.responses[String(r.spec.status)];
      expect(success, `${r.key} documents ${r.spec.status}`).toBeDefined();
      const successes = Object.keys(op.responses).filter((status) => status.startsWith('2'));
      // A route that takes a dry run also documents its 200, the dry run's answer.
      const dryRun = 'dryRun' in r.spec && r.spec.dryRun !== undefined;
      expect(successes.sort(), r.key).toEqual(
        (dryRun ? ['200', String(r.spec.status)] : [String(r.spec.status)]).sort(),
      );
      if (r.spec.status === 204) {
        expect(success.content, r.key).toBeUndefined();
        continue;
      }
      const [mediaType] = Object.keys(success.content);
      expect(mediaType, r.key).toBe(r.spec.stream ? 'text/event-stream' : 'application/json');
      const schema = success.content[mediaType!].schema;
      if (r.spec.stream || r.key === 'GET /v1/openapi.json') continue;
      // A real description of the body: named properties, each with a type, none left open.
      expect(schema.type, r.key).toBe('object');
      expect(Object.keys(schema.properties ?? {}).length, `${r.key} names its fields`).toBeGreaterThan(0);
      expect(schema.required?.length ?? 0, `${r.key} says which fields are always there`).toBeGreaterThan(0);
    }
  });
});

describe('public routes', () => {
  it('a route of another function is not served here: 404 problem+json', async () => {
    const res = (await h.handlers.public(
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
