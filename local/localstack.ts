import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * `npm run test:localstack`: deploys the stack to LocalStack with cdklocal and runs the
 * integration suite against it, the same suite `npm test` runs against the embedded
 * default. Where Docker, LocalStack or its auth token is missing it says what is needed
 * and exits 0 (skipped): `npm test` never depends on it. Where Docker answers but
 * LocalStack does not, it starts one with @testcontainers/localstack when that package is
 * installed (it is not a dependency: `npm install --no-save @testcontainers/localstack`).
 */

const EDGE = process.env.LOCALSTACK_ENDPOINT ?? 'http://localhost:4566';
const STACK = process.env.PRG_STACK_NAME ?? 'PresenceHaLocal';
const OUTPUTS = 'cdk.out/localstack-outputs.json';

/**
 * The LocalStack features the stack needs that only a paid plan (an auth token) has:
 * the run refuses to start without LOCALSTACK_AUTH_TOKEN rather than fail half-way.
 */
export const PAID_FEATURES = [
  'Cognito user pools (cognito-idp): the resource server, the client-credentials app clients and their token endpoint',
  'API Gateway v2 HTTP APIs (apigatewayv2) with the JWT authorizer',
] as const;

/**
 * Where LocalStack issues OAuth2 tokens. The stack's `TokenUrl` output is the hosted
 * domain (`<prefix>.auth.<region>.amazoncognito.com`), which LocalStack does not serve:
 * its token endpoint is on the edge port.
 */
export function localstackTokenUrl(edge: string): string {
  return `${edge.replace(/\/+$/, '')}/_aws/cognito-idp/oauth2/token`;
}

/** What the runner found on this machine. */
export interface Probes {
  docker: boolean;
  localstackAnswers: boolean;
  authToken: boolean;
  /** @testcontainers/localstack can be imported. */
  testcontainers: boolean;
}

export type Plan =
  | { action: 'skip'; why: string; needed: string }
  | { action: 'start-container-then-deploy' }
  | { action: 'deploy' };

/** What to do, from what is here: no Docker call, no network, so it is testable anywhere. */
export function plan(p: Probes): Plan {
  if (!p.authToken) {
    return {
      action: 'skip',
      why: 'LOCALSTACK_AUTH_TOKEN is not set.',
      needed: `a LocalStack auth token: the stack needs ${PAID_FEATURES.join('; and ')}.`,
    };
  }
  if (p.localstackAnswers) return { action: 'deploy' };
  if (!p.docker) {
    return {
      action: 'skip',
      why: 'no Docker engine answers here and LocalStack does not answer either.',
      needed:
        'Docker with a running engine (then LocalStack is started for you), or LocalStack at LOCALSTACK_ENDPOINT.',
    };
  }
  if (!p.testcontainers) {
    return {
      action: 'skip',
      why: `LocalStack does not answer at ${EDGE} and @testcontainers/localstack is not installed.`,
      needed:
        'localstack start -d, or npm install --no-save @testcontainers/localstack to let this runner start it.',
    };
  }
  return { action: 'start-container-then-deploy' };
}

/** The commands of a deployment and test run, in order (shown by the test, run by main). */
export function commands(stack: string): string[][] {
  // console=false: the stack deploys the console by default (a CloudFront distribution, a
  // Vite build uploaded by a custom resource, the Cognito Essentials plan for its
  // pre-token trigger), which LocalStack's community image cannot run and the integration
  // suite does not use: it tests the API, which is the same with or without the console.
  const context = [
    '-c',
    `stackName=${stack}`,
    '-c',
    'deletionProtection=false',
    '-c',
    'nag=false',
    '-c',
    'console=false',
  ];
  return [
    ['npx', 'cdklocal', 'bootstrap', ...context],
    [
      'npx',
      'cdklocal',
      'deploy',
      stack,
      '--require-approval',
      'never',
      '--outputs-file',
      OUTPUTS,
      ...context,
    ],
    ['npx', 'vitest', 'run', 'test/integration'],
  ];
}

function skip(why: string, what: string): never {
  process.stdout.write(`test:localstack skipped: ${why}\n  Needed: ${what}\n`);
  process.exit(0);
}

function run(cmd: string, args: string[], o: SpawnSyncOptions = {}): void {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...o });
  if (r.status !== 0) {
    process.stderr.write(`test:localstack: '${cmd} ${args.join(' ')}' failed (exit ${r.status}).\n`);
    process.exit(r.status ?? 1);
  }
}

/** Calls a LocalStack JSON API (Cognito) the way the AWS CLI would, with dummy credentials. */
async function awsJson<T>(target: string, body: unknown): Promise<T> {
  const res = await fetch(process.env.AWS_ENDPOINT_URL ?? EDGE, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': target,
      authorization:
        'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${target}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function token(tokenUrl: string, clientId: string, secret: string, scope: string): Promise<string> {
  const res = await fetch(tokenUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope }),
  });
  if (!res.ok) throw new Error(`token for ${scope}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

async function main(): Promise<void> {
  const docker = spawnSync('docker', ['info'], { stdio: 'ignore' });
  const health = await fetch(`${EDGE}/_localstack/health`).catch(() => null);
  const testcontainers = await import('@testcontainers/localstack' as string).then(
    (m: {
      LocalstackContainer?: new (image: string) => {
        withEnvironment(e: Record<string, string>): {
          start(): Promise<{ getConnectionUri(): string; stop(): Promise<unknown> }>;
        };
      };
    }) => m,
    () => null,
  );
  const decided = plan({
    docker: !docker.error && docker.status === 0,
    localstackAnswers: health?.ok === true,
    authToken: Boolean(process.env.LOCALSTACK_AUTH_TOKEN),
    testcontainers: testcontainers?.LocalstackContainer !== undefined,
  });
  if (decided.action === 'skip') skip(decided.why, decided.needed);
  let edge = EDGE;
  let stopContainer: (() => Promise<unknown>) | null = null;
  if (decided.action === 'start-container-then-deploy' && testcontainers?.LocalstackContainer) {
    process.stdout.write(
      'test:localstack: starting LocalStack (localstack/localstack-pro) with testcontainers\n',
    );
    const container = await new testcontainers.LocalstackContainer('localstack/localstack-pro:latest')
      .withEnvironment({ LOCALSTACK_AUTH_TOKEN: process.env.LOCALSTACK_AUTH_TOKEN ?? '' })
      .start();
    edge = container.getConnectionUri();
    stopContainer = () => container.stop();
    process.env.AWS_ENDPOINT_URL = edge;
  }
  try {
    await deployAndTest(edge);
  } finally {
    await stopContainer?.();
  }
}

async function deployAndTest(edge: string): Promise<void> {
  const env = {
    ...process.env,
    LOCALSTACK_HOSTNAME: new URL(edge).hostname,
    EDGE_PORT: new URL(edge).port || '4566',
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  };
  const [bootstrap, deploy, integration] = commands(STACK) as [string[], string[], string[]];
  run('npx', bootstrap.slice(1), { env });
  run('npx', deploy.slice(1), { env });
  const outputs =
    (JSON.parse(readFileSync(OUTPUTS, 'utf8')) as Record<string, Record<string, string>>)[STACK] ?? {};
  const { ApiUrl, UserPoolId, AppClientId, ReadOnlyAppClientId } = outputs;
  // Not the TokenUrl output: LocalStack serves tokens on its own endpoint.
  const TokenUrl = localstackTokenUrl(edge);
  if (!ApiUrl || !UserPoolId || !AppClientId) {
    throw new Error(
      `The deployed stack's outputs lack ApiUrl, UserPoolId or AppClientId: ${JSON.stringify(outputs)}`,
    );
  }
  const secret = async (clientId: string) =>
    (
      await awsJson<{ UserPoolClient: { ClientSecret: string } }>(
        'AWSCognitoIdentityProviderService.DescribeUserPoolClient',
        { UserPoolId, ClientId: clientId },
      )
    ).UserPoolClient.ClientSecret;
  const adminToken = await token(TokenUrl, AppClientId, await secret(AppClientId), 'prg/admin');
  const readClient = ReadOnlyAppClientId ?? AppClientId;
  const readToken = await token(
    TokenUrl,
    readClient,
    await secret(readClient),
    ReadOnlyAppClientId ? 'prg/read' : 'prg/admin',
  );
  run('npx', integration.slice(1), {
    env: { ...env, PRG_TARGET_URL: ApiUrl, PRG_ADMIN_TOKEN: adminToken, PRG_READ_TOKEN: readToken },
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e: unknown) => {
    process.stderr.write(`test:localstack failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
