/**
 * `prg login` against a fake Cognito on loopback: client credentials, the browser sign-in
 * with PKCE through the 127.0.0.1 listener, the owner-only cache, and renewal when the
 * token expires or the API refuses it.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../../cli/client';
import { resolveConnection } from '../../../cli/config';
import { browserLogin, clientCredentials } from '../../../cli/login/oauth';
import { readSession, sessionPath, writeSession, type Session } from '../../../cli/login/session';
import { CliError } from '../../../cli/errors';

interface Fake {
  url: string;
  server: Server;
  /** Access tokens the fake API refuses (revoked). */
  revoked: Set<string>;
  grants: string[];
  apiTokens: string[];
}

/** Cognito's token and authorize endpoints and a one-route API, on 127.0.0.1. */
async function fakeCognito(): Promise<Fake> {
  let issued = 0;
  const codes = new Map<string, { challenge: string; redirect: string }>();
  const fake = { revoked: new Set<string>(), grants: [] as string[], apiTokens: [] as string[] } as Fake;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const json = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.method === 'GET' && url.pathname === '/oauth2/authorize') {
      // The person signs in: Cognito sends the browser back with a code.
      const code = `code-${++issued}`;
      codes.set(code, {
        challenge: url.searchParams.get('code_challenge') ?? '',
        redirect: url.searchParams.get('redirect_uri') ?? '',
      });
      const back = new URL(url.searchParams.get('redirect_uri') ?? '');
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      res.writeHead(302, { location: back.toString() }).end();
      return;
    }
    if (req.method === 'GET' && url.pathname === '/v1/groups') {
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      fake.apiTokens.push(token);
      if (fake.revoked.has(token)) return json(401, { title: 'Unauthorized', status: 401 });
      return json(200, { groups: [], next: null });
    }
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      const grant = form.get('grant_type') ?? '';
      fake.grants.push(grant);
      if (grant === 'client_credentials') {
        const basic = Buffer.from(
          (req.headers.authorization ?? '').replace(/^Basic /, ''),
          'base64',
        ).toString();
        if (basic !== 'cli-client:s3cret') return json(400, { error: 'invalid_client' });
        return json(200, { access_token: `cc-${++issued}`, expires_in: 3600, token_type: 'Bearer' });
      }
      if (grant === 'authorization_code') {
        const pending = codes.get(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        const challenge = createHash('sha256').update(verifier).digest('base64url');
        if (!pending || pending.challenge !== challenge || pending.redirect !== form.get('redirect_uri')) {
          return json(400, { error: 'invalid_grant' });
        }
        codes.delete(form.get('code') ?? '');
        return json(200, { access_token: `user-${++issued}`, refresh_token: 'refresh-1', expires_in: 3600 });
      }
      if (grant === 'refresh_token' && form.get('refresh_token') === 'refresh-1') {
        return json(200, { access_token: `user-${++issued}`, expires_in: 3600 });
      }
      return json(400, { error: 'unsupported_grant_type' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.server = server;
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

let fake: Fake;
let dir: string;
beforeEach(async () => {
  fake = await fakeCognito();
  dir = mkdtempSync(join(tmpdir(), 'prg-login-'));
});
afterEach(async () => {
  await new Promise((r) => fake.server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const env = () => ({ PRG_CONFIG: join(dir, 'config.json') }) as NodeJS.ProcessEnv;

function session(token: Session['token'], extra: Partial<Session> = {}): Session {
  return {
    url: fake.url,
    tokenUrl: `${fake.url}/oauth2/token`,
    clientId: 'cli-client',
    scope: 'prg/admin',
    grant: 'client_credentials',
    clientSecret: 's3cret',
    token,
    ...extra,
  };
}

describe('prg login', () => {
  it('gets a client-credentials token, and names the client when the secret is wrong', async () => {
    const token = await clientCredentials(
      `${fake.url}/oauth2/token`,
      { id: 'cli-client', secret: 's3cret' },
      'prg/admin',
    );
    expect(token.accessToken).toMatch(/^cc-/);
    const refused = await clientCredentials(
      `${fake.url}/oauth2/token`,
      { id: 'cli-client', secret: 'nope' },
      'prg/admin',
    ).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CliError);
    expect((refused as CliError).message).toContain('invalid_client');
  });

  it('signs a person in through the browser with PKCE and a 127.0.0.1 listener', async () => {
    const token = await browserLogin({
      authorizeUrl: `${fake.url}/oauth2/authorize`,
      tokenUrl: `${fake.url}/oauth2/token`,
      clientId: 'cli-client',
      scope: 'prg/admin',
      port: 0,
      // The "browser": follows Cognito's redirect to the loopback listener.
      open: (url) => void fetch(url).catch(() => undefined),
      timeoutMs: 10_000,
    });
    expect(token.accessToken).toMatch(/^user-/);
    expect(token.refreshToken).toBe('refresh-1');
    expect(fake.grants).toEqual(['authorization_code']);
  });

  it('keeps the token owner-only and uses it when no other token is given', () => {
    const path = sessionPath(join(dir, 'config.json'));
    writeSession(path, session({ accessToken: 'cc-9', expiresAt: Date.now() + 3_600_000 }));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const conn = resolveConnection({}, env());
    expect(conn).toMatchObject({ url: fake.url, urlSource: 'login', token: 'cc-9', tokenSource: 'login' });
    // A token given otherwise wins over the cache.
    expect(resolveConnection({ token: 'prg_admin_x' }, env()).tokenSource).toBe('--token');
  });

  it('renews an expired client-credentials token before the call', async () => {
    const path = sessionPath(join(dir, 'config.json'));
    writeSession(path, session({ accessToken: 'cc-old', expiresAt: Date.now() - 1000 }));
    await new ApiClient(resolveConnection({}, env())).call('GET /v1/groups');
    expect(fake.grants).toEqual(['client_credentials']);
    expect(fake.apiTokens).toHaveLength(1);
    expect(fake.apiTokens[0]).toMatch(/^cc-\d+$/);
    expect(readSession(path)?.token.accessToken).toBe(fake.apiTokens[0]);
  });

  it('renews a browser sign-in by its refresh token when the API answers 401, and retries once', async () => {
    const path = sessionPath(join(dir, 'config.json'));
    writeSession(
      path,
      session(
        { accessToken: 'user-revoked', expiresAt: Date.now() + 3_600_000, refreshToken: 'refresh-1' },
        { grant: 'authorization_code', clientSecret: undefined },
      ),
    );
    fake.revoked.add('user-revoked');
    await new ApiClient(resolveConnection({}, env())).call('GET /v1/groups');
    expect(fake.grants).toEqual(['refresh_token']);
    expect(fake.apiTokens[0]).toBe('user-revoked');
    expect(fake.apiTokens[1]).toMatch(/^user-\d+$/);
    // The refresh token is kept for the next renewal (Cognito does not send a new one).
    expect(readSession(path)?.token.refreshToken).toBe('refresh-1');
  });
});

describe('prg events without a stream (the API on AWS)', () => {
  it('polls the history and prints each new state change once', async () => {
    let historyCalls = 0;
    // Written after prg started following: the second poll is the first to see it.
    let changedAt = '';
    const api = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const json = (status: number, body: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (url.pathname === '/v1/events') return json(404, { title: 'Not Found', status: 404 });
      if (url.pathname === '/v1/groups') return json(200, { groups: [{ name: 'prg-1' }], next: null });
      if (url.pathname === '/v1/groups/prg-1/history') {
        historyCalls += 1;
        if (historyCalls === 2) changedAt = new Date().toISOString();
        const line = {
          at: changedAt,
          nodeId: 'imp-a',
          from: 'NORMAL',
          to: 'DOWN',
          reason: 'PEER_DOWN',
          cause: 'silent',
        };
        return json(200, { history: historyCalls === 1 ? [] : [line], next: null });
      }
      return json(404, {});
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    try {
      const { runPrg, cleanEnv } = await import('../../e2e/support/prg');
      const run = await runPrg(
        ['events', '--count', '1', '--interval', '1', '--json'],
        cleanEnv(dir, {
          PRG_URL: `http://127.0.0.1:${(api.address() as AddressInfo).port}`,
          PRG_TOKEN: 'prg_read_x',
          PRG_CONFIG: join(dir, 'absent.json'),
        }),
      );
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain('polling the history');
      const event = JSON.parse(run.stdout.trim()) as {
        'detail-type': string;
        detail: Record<string, unknown>;
      };
      expect(event['detail-type']).toBe('NodeStateChanged');
      expect(event.detail).toMatchObject({ group: 'prg-1', nodeId: 'imp-a', to: 'DOWN' });
      expect(historyCalls).toBeGreaterThanOrEqual(2);
    } finally {
      await new Promise((r) => api.close(r));
    }
  });
});
