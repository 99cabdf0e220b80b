/**
 * `prg login --fetch-secret` as an operator runs it after `cdk deploy --outputs-file`:
 * the real CLI process reads the app client's secret from Cognito with the operator's AWS
 * credentials (DescribeUserPoolClient, signed by the SDK's default chain), gets a
 * client-credentials token, and reads the secret again when the token must be renewed.
 * Cognito, its token endpoint and the API are one stand-in server on 127.0.0.1: nothing
 * here reaches the internet.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cleanEnv, runPrg, spawnPrg, until, type Run } from './support/prg';

const POOL = 'eu-west-1_Test123';
const CLIENT = 'app-client-1';
const SECRET = 'the-secret';

interface Seen {
  authorizes: Record<string, string>[];
  describes: { target: string; body: Record<string, unknown>; authorization: string }[];
  grants: { authorization: string; form: Record<string, string> }[];
  apiTokens: string[];
  /** Access tokens the API refuses (as if revoked). */
  revoked: Set<string>;
  /** What DescribeUserPoolClient answers instead of the client: an AWS error type. */
  describeError?: string;
}

let server: Server;
let url: string;
let home: string;
let seen: Seen;
let issued = 0;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'prg-login-'));
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString()));
    req.on('end', () => {
      const json = (status: number, body: unknown, type = 'application/json') =>
        res.writeHead(status, { 'content-type': type }).end(JSON.stringify(body));
      const target = String(req.headers['x-amz-target'] ?? '');
      if (req.method === 'POST' && target.startsWith('AWSCognitoIdentityProviderService.')) {
        seen.describes.push({
          target,
          body: JSON.parse(raw) as Record<string, unknown>,
          authorization: String(req.headers.authorization ?? ''),
        });
        if (seen.describeError) {
          return json(
            400,
            { __type: seen.describeError, message: 'User is not authorized' },
            'application/x-amz-json-1.1',
          );
        }
        return json(
          200,
          { UserPoolClient: { UserPoolId: POOL, ClientId: CLIENT, ClientSecret: SECRET } },
          'application/x-amz-json-1.1',
        );
      }
      if (req.method === 'GET' && req.url?.startsWith('/oauth2/authorize')) {
        // The person signs in: Cognito sends the browser back to the CLI's listener with a code.
        const query = new URL(req.url, url).searchParams;
        seen.authorizes.push(Object.fromEntries(query));
        const back = new URL(query.get('redirect_uri') ?? '');
        back.searchParams.set('code', 'the-code');
        back.searchParams.set('state', query.get('state') ?? '');
        return void res.writeHead(302, { location: back.toString() }).end();
      }
      if (req.method === 'POST' && req.url === '/oauth2/token') {
        const form = Object.fromEntries(new URLSearchParams(raw));
        const authorization = String(req.headers.authorization ?? '');
        seen.grants.push({ authorization, form });
        if (form.grant_type === 'authorization_code') {
          const challenge = createHash('sha256')
            .update(form.code_verifier ?? '')
            .digest('base64url');
          const asked = seen.authorizes.at(-1);
          if (
            form.code !== 'the-code' ||
            challenge !== asked?.code_challenge ||
            form.client_id !== 'cli-client-1'
          )
            return json(400, { error: 'invalid_grant' });
          return json(200, {
            access_token: `token-${++issued}`,
            refresh_token: 'refresh-1',
            token_type: 'Bearer',
            expires_in: 3600,
          });
        }
        if (authorization !== `Basic ${Buffer.from(`${CLIENT}:${SECRET}`).toString('base64')}`) {
          return json(400, { error: 'invalid_client' });
        }
        return json(200, { access_token: `token-${++issued}`, token_type: 'Bearer', expires_in: 3600 });
      }
      if (req.method === 'GET' && req.url?.startsWith('/v1/groups')) {
        const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
        seen.apiTokens.push(token);
        if (seen.revoked.has(token)) return json(401, { title: 'Unauthorized', status: 401 });
        return json(200, { groups: [], next: null });
      }
      json(404, { message: `no ${req.method} ${req.url}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  writeFileSync(
    join(home, 'cdk-outputs.json'),
    JSON.stringify({
      PresenceHa: {
        ApiUrl: `${url}/`,
        TokenUrl: `${url}/oauth2/token`,
        UserPoolId: POOL,
        AppClientId: CLIENT,
        CliClientId: 'cli-client-1',
        CliRedirectPort: '53682',
      },
    }),
  );
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  if (home) rmSync(home, { recursive: true, force: true });
});

beforeEach(() => {
  seen = { authorizes: [], describes: [], grants: [], apiTokens: [], revoked: new Set() };
  rmSync(join(home, 'cfg'), { recursive: true, force: true });
});

/**
 * An operator with AWS credentials in the environment, and none anywhere else: no shared
 * files, no instance metadata. The SDK's own endpoint variable points it at the stand-in.
 */
function operatorEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return cleanEnv(home, {
    PRG_CONFIG: join(home, 'cfg', 'config.json'),
    AWS_ACCESS_KEY_ID: 'AKIDOPERATOR',
    AWS_SECRET_ACCESS_KEY: 'operator-secret',
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_REGION: undefined,
    AWS_DEFAULT_REGION: undefined,
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
    AWS_CONFIG_FILE: join(home, 'no-config'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: url,
    ...extra,
  });
}

const prg = (args: string[], env = operatorEnv()): Promise<Run> => runPrg(args, env);

function expectExit(run: Run, code: number): Run {
  expect(run.code, `exit ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`).toBe(code);
  return run;
}

const session = () =>
  JSON.parse(readFileSync(join(home, 'cfg', 'session.json'), 'utf8')) as Record<string, unknown>;

describe('prg login --fetch-secret', () => {
  it('reads the secret from Cognito with the AWS credentials, logs in, and keeps no secret on disk', async () => {
    const run = expectExit(
      await prg(['login', '--outputs', join(home, 'cdk-outputs.json'), '--fetch-secret']),
      0,
    );
    expect(run.stdout).toContain(`Logged in to ${url} with scope prg/admin`);
    expect(seen.describes).toHaveLength(1);
    const [describe] = seen.describes;
    expect(describe!.target).toBe('AWSCognitoIdentityProviderService.DescribeUserPoolClient');
    expect(describe!.body).toEqual({ UserPoolId: POOL, ClientId: CLIENT });
    // Signed with the operator's key, for the pool's region.
    expect(describe!.authorization).toMatch(
      /Credential=AKIDOPERATOR\/\d{8}\/eu-west-1\/cognito-idp\/aws4_request/,
    );
    expect(seen.grants).toHaveLength(1);
    expect(seen.grants[0]!.form).toMatchObject({ grant_type: 'client_credentials', scope: 'prg/admin' });

    const saved = session();
    expect(saved).toMatchObject({ grant: 'client_credentials', clientId: CLIENT, userPoolId: POOL });
    expect(JSON.stringify(saved)).not.toContain(SECRET);
    expect(statSync(join(home, 'cfg', 'session.json')).mode & 0o777).toBe(0o600);

    // The next command uses the kept token.
    expectExit(await prg(['group', 'list', '--json']), 0);
    expect(seen.apiTokens).toEqual([`token-${issued}`]);
  });

  it('reads the secret again when the API refuses the token, and retries with a new one', async () => {
    expectExit(await prg(['login', '--outputs', join(home, 'cdk-outputs.json'), '--fetch-secret']), 0);
    const first = (session().token as { accessToken: string }).accessToken;
    seen.revoked.add(first);
    expectExit(await prg(['group', 'list', '--json']), 0);
    expect(seen.describes).toHaveLength(2);
    expect(seen.apiTokens).toEqual([first, `token-${issued}`]);
    expect((session().token as { accessToken: string }).accessToken).toBe(`token-${issued}`);
  });

  it('without AWS credentials: exit 3, saying how to sign in to AWS or pass the secret; nothing saved', async () => {
    const run = expectExit(
      await prg(
        ['login', '--outputs', join(home, 'cdk-outputs.json'), '--fetch-secret'],
        operatorEnv({ AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined }),
      ),
      3,
    );
    expect(run.stderr).toContain('no AWS credentials to read the client secret with');
    expect(run.stderr).toContain('--client-secret');
    expect(seen.describes).toHaveLength(0);
    expect(() => session()).toThrow();
  });

  it('an AWS identity without the permission: exit 3 naming cognito-idp:DescribeUserPoolClient', async () => {
    seen.describeError = 'NotAuthorizedException';
    const run = expectExit(
      await prg(['login', '--outputs', join(home, 'cdk-outputs.json'), '--fetch-secret']),
      3,
    );
    expect(run.stderr).toContain(`cognito-idp:DescribeUserPoolClient on user pool ${POOL}`);
    expect(seen.grants).toHaveLength(0);
  });

  it('refuses --fetch-secret together with --client-secret (exit 2)', async () => {
    const run = expectExit(
      await prg([
        'login',
        '--outputs',
        join(home, 'cdk-outputs.json'),
        '--fetch-secret',
        '--client-secret',
        'x',
      ]),
      2,
    );
    expect(run.stderr).toContain('give one way to the secret');
    expect(seen.describes).toHaveLength(0);
  });
});

describe('prg login --browser', () => {
  it('signs a person in with the CliClientId of the outputs: PKCE, loopback redirect, token kept', async () => {
    const running = spawnPrg(
      ['login', '--outputs', join(home, 'cdk-outputs.json'), '--browser', '--port', '0', '--no-open'],
      operatorEnv({ PRG_NO_BROWSER: '1' }),
    );
    const timer = setTimeout(() => running.child.kill('SIGKILL'), 20_000);
    try {
      // The browser's part: open the printed URL and follow Cognito's redirect to the CLI.
      const signIn = await until(
        'the sign-in URL',
        async () => /Sign in at:\n\s+(\S+)/.exec(running.output().stderr)?.[1],
        15_000,
        50,
      );
      expect(signIn.startsWith(`${url}/oauth2/authorize?`)).toBe(true);
      await fetch(signIn);
      const run = expectExit(await running.done, 0);
      expect(run.stdout).toContain(`Logged in to ${url}`);
    } finally {
      clearTimeout(timer);
    }
    expect(seen.authorizes[0]).toMatchObject({
      client_id: 'cli-client-1',
      response_type: 'code',
      code_challenge_method: 'S256',
    });
    expect(seen.grants.map((g) => g.form.grant_type)).toEqual(['authorization_code']);
    expect(session()).toMatchObject({ grant: 'authorization_code', clientId: 'cli-client-1' });
    expect(seen.describes).toHaveLength(0);
  });
});
