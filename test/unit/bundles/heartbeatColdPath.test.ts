/**
 * The heartbeat function loads, when it starts, only what a steady heartbeat uses. Its
 * DynamoDB calls go through the small signed HTTP client (lambdas/adapters/dynamodb/wire),
 * so of the AWS SDK it loads only the attribute-value marshaller; Step Functions and
 * EventBridge are imported by their adapters on first use (a take-over, an event), and so
 * is the SDK's DynamoDB client when PRG_DYNAMODB_CLIENT=sdk asks for it. Loading the SDK's
 * DynamoDB client at start was about two thirds of the heartbeat's cold start
 * (docs/performance.md); this keeps it from coming back unnoticed. The bundle is built with
 * the stack's options and loaded in a new Node process, which reports what it loaded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Metafile } from 'esbuild';
import { bundleFunction, packagesLoadedAtStart } from '../../bench/bundles';

const root = new URL('../../../', import.meta.url).pathname;
let dir: string;
let bundle: string;
let metafile: Metafile;

beforeAll(async () => {
  dir = mkdtempSync(join(root, '.cold-path-'));
  bundle = join(dir, 'heartbeat.cjs');
  ({ metafile } = await bundleFunction(root, 'heartbeat', bundle));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sdkPackages = (loaded: string[]) => loaded.filter((name) => name.startsWith('@aws-sdk/'));

describe('the heartbeat bundle', () => {
  it("loads at start only the SDK's marshaller, never its DynamoDB client", () => {
    expect(sdkPackages(packagesLoadedAtStart(root, bundle))).toEqual(['@aws-sdk/util-dynamodb']);
  });

  it('with PRG_DYNAMODB_CLIENT=sdk, still loads the SDK client only on the first call', () => {
    expect(sdkPackages(packagesLoadedAtStart(root, bundle, { PRG_DYNAMODB_CLIENT: 'sdk' }))).toEqual([
      '@aws-sdk/util-dynamodb',
    ]);
  });

  it('imports Step Functions and EventBridge on first use, and leaves out what a heartbeat never uses', () => {
    const output = Object.values(metafile.outputs).find((o) => o.entryPoint);
    const later = output?.imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path) ?? [];
    expect(later).toEqual(expect.arrayContaining(['@aws-sdk/client-sfn', '@aws-sdk/client-eventbridge']));
    // The adapters of ports a heartbeat never uses are left out (heartbeatPortsFrom).
    // Under 100 bytes is what esbuild leaves of a module none of whose code is used.
    const bundled = Object.entries(output?.inputs ?? {})
      .filter(([, input]) => input.bytesInOutput > 100)
      .map(([path]) => path);
    expect(bundled.filter((p) => /adapters\/dynamodb\/(users|cursorKey|probe)\.ts$/.test(p))).toEqual([]);
    // Nor Table 2's texts: group views show them, a heartbeat never does. They were bundled
    // unused while esbuild could not tell that building the table has no side effects.
    expect(bundled.filter((p) => p.endsWith('core/catalogue/table2.ts'))).toEqual([]);
  });
});
