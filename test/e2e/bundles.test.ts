/**
 * The packaged tools (`npm run build:tools`): each bundle is one file that runs alone —
 * copied into an empty directory, with no node_modules and no package.json beside it —
 * and talks to a real control plane.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startEmbedded, type Embedded } from '../../local/embedded';
import { buildTools, LAZY_MARKER } from '../../scripts/buildTools';
import { cleanEnv } from './support/prg';

const run = promisify(execFile);
let dir: string;
let server: Embedded;
const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

beforeAll(async () => {
  const build = mkdtempSync(join(tmpdir(), 'prg-build-'));
  await buildTools(build);
  // What docs/install.md tells an operator to do: copy one file, nothing else.
  dir = mkdtempSync(join(tmpdir(), 'prg-installed-'));
  for (const name of ['prg.mjs', 'prg-agent.mjs']) copyFileSync(join(build, name), join(dir, name));
  rmSync(build, { recursive: true, force: true });
  server = await startEmbedded({
    port: 0,
    dynamoEndpoint: inject('dynamoEndpoint'),
    tablePrefix: `bundles-${Date.now().toString(36)}`,
    sweepSeconds: 1,
    writeLine: () => undefined,
  });
}, 180_000);

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs a bundle with the Node this test runs on, from the empty directory. */
const bundle = (name: string, args: string[], env: NodeJS.ProcessEnv = cleanEnv(dir)) =>
  run(process.execPath, [join(dir, name), ...args], { cwd: dir, env, timeout: 20_000 });

describe('the single-file bundles', () => {
  it('are small enough to copy and have no dependency outside themselves', () => {
    for (const name of ['prg.mjs', 'prg-agent.mjs']) {
      const text = readFileSync(join(dir, name), 'utf8');
      expect(text.startsWith('#!/usr/bin/env node\n'), name).toBe(true);
      // Only Node's own modules are imported or required; everything else is inside the file.
      const loaded = [
        ...text.matchAll(/(?:^|[;\n])\s*import[^;]*?from\s*"([^"]+)"/g),
        // Not `[require("…");]`: an AWS SDK error message telling a user how to add a package.
        ...text.matchAll(/(?<!\[)\brequire\("([^"]+)"\)/g),
      ].map((m) => m[1]!);
      expect(loaded.length, name).toBeGreaterThan(0);
      expect(
        loaded.filter((m) => !m.startsWith('node:') && !builtinModules.includes(m)),
        name,
      ).toEqual([]);
      expect(statSync(join(dir, name)).size, name).toBeLessThan(2 * 1024 * 1024);
    }
  });

  it('prg --version prints the package version with no package.json beside it', async () => {
    const out = await bundle('prg.mjs', ['--version']);
    expect(out.stdout.trim()).toBe(version);
  });

  it('prg-agent --help shows its usage', async () => {
    const out = await bundle('prg-agent.mjs', ['--help']);
    expect(out.stdout).toContain('Usage: prg-agent');
  });

  it('prg registers a node and lists it against a running control plane', async () => {
    const env = cleanEnv(dir, {
      PRG_URL: server.url,
      PRG_TOKEN: server.adminToken,
      PRG_CONFIG: join(dir, 'absent.json'),
    });
    await bundle(
      'prg.mjs',
      [
        'node',
        'register',
        'bundle-a',
        '--hostname',
        'bundle-a.example.com',
        '--cluster',
        'bundles',
        '--software-version',
        '15.0',
        '--publisher',
        'pub',
      ],
      env,
    );
    const out = await bundle('prg.mjs', ['node', 'list', '--json'], env);
    expect(out.stdout).toContain('bundle-a');
  });

  it('prg login --fetch-secret loads the Cognito SDK, kept in the file as text, only when asked', async () => {
    const text = readFileSync(join(dir, 'prg.mjs'), 'utf8');
    expect(text).toContain(`${LAZY_MARKER}@aws-sdk/client-cognito-identity-provider`);
    // A stand-in Cognito (DescribeUserPoolClient, the token endpoint) on 127.0.0.1.
    const targets: string[] = [];
    const cognito = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const target = String(req.headers['x-amz-target'] ?? '');
        if (target) targets.push(target);
        const body = target
          ? { UserPoolClient: { ClientId: 'app-1', ClientSecret: 'the-secret' } }
          : { access_token: 'token-1', token_type: 'Bearer', expires_in: 3600 };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => cognito.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(cognito.address() as AddressInfo).port}`;
      const outputs = join(dir, 'cdk-outputs.json');
      writeFileSync(
        outputs,
        JSON.stringify({
          PresenceHa: {
            ApiUrl: `${server.url}/`,
            TokenUrl: `${url}/oauth2/token`,
            UserPoolId: 'eu-west-1_Test123',
            AppClientId: 'app-1',
          },
        }),
      );
      const aws = (keys: boolean) =>
        cleanEnv(dir, {
          PRG_CONFIG: join(dir, 'login', 'config.json'),
          AWS_ACCESS_KEY_ID: keys ? 'AKIDOPERATOR' : undefined,
          AWS_SECRET_ACCESS_KEY: keys ? 'operator-secret' : undefined,
          AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
          AWS_CONFIG_FILE: join(dir, 'no-config'),
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: url,
        });
      await bundle('prg.mjs', ['login', '--outputs', outputs, '--fetch-secret'], aws(true));
      expect(targets).toEqual(['AWSCognitoIdentityProviderService.DescribeUserPoolClient']);
      // The SDK's own error names survive the bundling: no credentials is exit 3 with what to do.
      const refused = await bundle(
        'prg.mjs',
        ['login', '--outputs', outputs, '--fetch-secret'],
        aws(false),
      ).then(
        () => null,
        (e: { code: number; stderr: string }) => e,
      );
      expect(refused?.code).toBe(3);
      expect(refused?.stderr).toContain('no AWS credentials to read the client secret with');
    } finally {
      await new Promise((resolve) => cognito.close(resolve));
    }
  });
});
