import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * `npm run test:localstack`: deploys the stack to LocalStack with cdklocal and runs the
 * integration suite against it, the same suite `npm test` runs against the embedded
 * default. Where Docker or LocalStack is missing it says what is needed and exits 0
 * (skipped): `npm test` never depends on it.
 */

const EDGE = process.env.LOCALSTACK_ENDPOINT ?? 'http://localhost:4566';
const STACK = process.env.PRG_STACK_NAME ?? 'PresenceHaLocal';
const OUTPUTS = 'cdk.out/localstack-outputs.json';

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
  const res = await fetch(EDGE, {
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
  if (docker.error || docker.status !== 0) {
    skip(
      'no Docker engine answers here.',
      'Docker with a running engine, then LocalStack (localstack start -d).',
    );
  }
  const health = await fetch(`${EDGE}/_localstack/health`).catch(() => null);
  if (!health?.ok) {
    skip(
      `LocalStack does not answer at ${EDGE}.`,
      'LocalStack running (localstack start -d) with LOCALSTACK_AUTH_TOKEN set: the stack uses Cognito, a LocalStack Pro service. Set LOCALSTACK_ENDPOINT if it listens elsewhere.',
    );
  }
  const env = {
    ...process.env,
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  };
  const context = ['-c', `stackName=${STACK}`, '-c', 'deletionProtection=false', '-c', 'nag=false'];
  run('npx', ['cdklocal', 'bootstrap', ...context], { env });
  run(
    'npx',
    ['cdklocal', 'deploy', STACK, '--require-approval', 'never', '--outputs-file', OUTPUTS, ...context],
    { env },
  );
  const outputs =
    (JSON.parse(readFileSync(OUTPUTS, 'utf8')) as Record<string, Record<string, string>>)[STACK] ?? {};
  const { ApiUrl, UserPoolId, AppClientId, ReadOnlyAppClientId, TokenUrl } = outputs;
  if (!ApiUrl || !UserPoolId || !AppClientId || !TokenUrl) {
    throw new Error(
      `The deployed stack's outputs lack ApiUrl, UserPoolId, AppClientId or TokenUrl: ${JSON.stringify(outputs)}`,
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
  run('npx', ['vitest', 'run', 'test/integration'], {
    env: { ...env, PRG_TARGET_URL: ApiUrl, PRG_ADMIN_TOKEN: adminToken, PRG_READ_TOKEN: readToken },
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`test:localstack failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
