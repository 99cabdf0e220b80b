/**
 * The WAF front's origin secret: with the front on, a request that skips CloudFront (sent
 * straight to the API's public custom domain) is refused with 403 before anything else.
 */
import { describe, expect, it } from 'vitest';
import { SecretFrontOrigin } from '../../../lambdas/adapters/secrets/frontOrigin';
import {
  checkFrontOrigin,
  FRONT_ORIGIN_HEADER,
  frontOriginSecretsFrom,
  UnavailableError,
} from '../../../lambdas/app';
import { makeHeartbeatHandler } from '../../../lambdas/handlers/heartbeat';
import { httpHandler } from '../../../lambdas/handlers/http/httpHandler';
import { frontOriginFromEnv } from '../../../lambdas/handlers/http/routeAuthOrigin';
import { localContext, matchRoute, toApiGatewayEvent } from '../../../local/apiGatewayEvent';
import { world } from '../app/world';

const CURRENT = 'c'.repeat(48);
const PREVIOUS = 'p'.repeat(48);

function event(method: string, path: string, headers: Record<string, string>, body?: string) {
  const match = matchRoute(method, path)!;
  return toApiGatewayEvent(
    { method, path, headers, ...(body !== undefined ? { body } : {}), scopes: null },
    match.route,
    match.pathParameters,
  );
}

async function status(handler: (e: never, c: never) => Promise<unknown>, e: unknown, fn: string) {
  const res = (await handler(e as never, localContext(fn as never) as never)) as {
    statusCode: number;
    headers?: Record<string, string>;
  };
  return [res.statusCode, res.headers?.['content-type']];
}

describe('the front origin secret', () => {
  it('accepts the current value and, while it is being replaced, the previous one; nothing else', () => {
    const secrets = frontOriginSecretsFrom(JSON.stringify({ current: CURRENT, previous: PREVIOUS }));
    expect(() => checkFrontOrigin(secrets, CURRENT)).not.toThrow();
    expect(() => checkFrontOrigin(secrets, PREVIOUS)).not.toThrow();
    for (const presented of [undefined, '', CURRENT.slice(1), `${CURRENT}x`, 'C'.repeat(48)]) {
      expect(() => checkFrontOrigin(secrets, presented)).toThrow(/through its CloudFront front/);
    }
    const currentOnly = frontOriginSecretsFrom(JSON.stringify({ current: CURRENT }));
    expect(() => checkFrontOrigin(currentOnly, PREVIOUS)).toThrow();
  });

  it('says what is wrong with a bad secret', () => {
    expect(() => frontOriginSecretsFrom('nope')).toThrow(/not JSON/);
    expect(() => frontOriginSecretsFrom(JSON.stringify({ current: 'short' }))).toThrow(/current/);
  });

  it('is read once per TTL, kept when a refresh fails, and a 503 with none held', async () => {
    let now = 0;
    let fail = false;
    let calls = 0;
    const source = new SecretFrontOrigin(
      'arn:secret',
      async () => {
        calls += 1;
        if (fail) throw new Error('extension down');
        return JSON.stringify({ current: CURRENT });
      },
      () => now,
      60_000,
    );
    await source.secrets();
    await source.secrets();
    expect(calls).toBe(1);
    now = 61_000;
    fail = true;
    await expect(source.secrets()).resolves.toEqual({ current: CURRENT, previous: null });
    const cold = new SecretFrontOrigin('arn:secret', () => Promise.reject(new Error('denied')));
    await expect(cold.secrets()).rejects.toBeInstanceOf(UnavailableError);
  });

  it('is off when the stack set no secret (front off, embedded default)', () => {
    expect(frontOriginFromEnv({})).toBeUndefined();
    expect(frontOriginFromEnv({ PRG_FRONT_ORIGIN_SECRET_ID: 'arn:secret' })).toBeTypeOf('function');
  });
});

describe('a request that skipped the front', () => {
  const source = async () => ({ current: CURRENT, previous: null });
  const health = httpHandler('public', { 'GET /v1/health': async () => ({ status: 'ok' }) } as never, {
    frontOrigin: source,
  });

  it('is a 403 problem+json; the same request through the front is answered', async () => {
    expect(await status(health, event('GET', '/v1/health', {}), 'public')).toEqual([
      403,
      'application/problem+json',
    ]);
    expect(
      await status(health, event('GET', '/v1/health', { [FRONT_ORIGIN_HEADER]: 'guess' }), 'public'),
    ).toEqual([403, 'application/problem+json']);
    expect(
      (await status(health, event('GET', '/v1/health', { [FRONT_ORIGIN_HEADER]: CURRENT }), 'public'))[0],
    ).toBe(200);
  });

  it('is refused before its node token is looked at: no storage call, even with a real token', async () => {
    const w = world();
    const a = await w.register('imp-a');
    const heartbeat = makeHeartbeatHandler(w.ports);
    // The heartbeat factory takes its origin source from the environment, as on AWS; here
    // the guard is exercised through the generic factory with the same route.
    const guarded = httpHandler(
      'heartbeat',
      { 'POST /v1/nodes/{nodeId}/heartbeat': async () => ({}) } as never,
      { frontOrigin: source, nodeToken: async () => undefined },
    );
    const calls = w.db.calls.length;
    const e = event('POST', '/v1/nodes/imp-a/heartbeat', { authorization: `Bearer ${a.token}` }, '{}');
    expect(await status(guarded, e, 'heartbeat')).toEqual([403, 'application/problem+json']);
    expect(w.db.calls.length).toBe(calls);
    // Without the front (no source in the environment) the heartbeat handler judges the token.
    expect(
      (await status(heartbeat, event('POST', '/v1/nodes/imp-a/heartbeat', {}, '{}'), 'heartbeat'))[0],
    ).toBe(401);
  });
});
