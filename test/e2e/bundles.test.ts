/**
 * The packaged tools (`npm run build:tools`): each bundle is one file that runs alone —
 * copied into an empty directory, with no node_modules and no package.json beside it —
 * and talks to a real control plane.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startEmbedded, type Embedded } from '../../local/embedded';
import { buildTools } from '../../scripts/buildTools';
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
        ...text.matchAll(/\brequire\("([^"]+)"\)/g),
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
});
