/**
 * The heartbeat function loads, when it starts, only what a steady heartbeat uses. Its
 * DynamoDB calls go through the small signed HTTP client (lambdas/adapters/dynamodb/wire),
 * so of the AWS SDK it loads only the attribute-value marshaller; Step Functions and
 * EventBridge are imported by their adapters on first use (a take-over, an event). Loading
 * the SDK's DynamoDB client at start was about two thirds of the heartbeat's cold start
 * (docs/performance.md); this keeps it from coming back unnoticed. Built with the stack's options.
 */
import { describe, expect, it } from 'vitest';
import { bundleFunction, staticExternalImports } from '../../bench/bundles';

const root = new URL('../../../', import.meta.url).pathname;

describe('the heartbeat bundle', () => {
  it("loads at start only the SDK's marshaller, never its DynamoDB client, the rest on first use", async () => {
    const { metafile } = await bundleFunction(root, 'heartbeat');
    const atStart = staticExternalImports(metafile);
    expect(atStart.filter((m) => m.startsWith('@aws-sdk/'))).toEqual(['@aws-sdk/util-dynamodb']);
    const output = Object.values(metafile.outputs).find((o) => o.entryPoint);
    const later = output?.imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path) ?? [];
    expect(later).toEqual(expect.arrayContaining(['@aws-sdk/client-sfn', '@aws-sdk/client-eventbridge']));
    const everyImport = output?.imports.map((i) => i.path) ?? [];
    expect(everyImport).not.toContain('@aws-sdk/client-dynamodb');
    expect(everyImport).not.toContain('@aws-sdk/lib-dynamodb');
    // The adapters of ports a heartbeat never uses are left out (heartbeatPortsFrom).
    // Under 100 bytes is what esbuild leaves of a module none of whose code is used.
    const bundled = Object.entries(output?.inputs ?? {}).filter(([, input]) => input.bytesInOutput > 100);
    expect(
      bundled.map(([path]) => path).filter((p) => /adapters\/dynamodb\/(users|cursorKey|probe)\.ts$/.test(p)),
    ).toEqual([]);
    // Nor Table 2's texts: group views show them, a heartbeat never does. They were bundled
    // unused while esbuild could not tell that building the table has no side effects.
    expect(bundled.map(([path]) => path).filter((p) => p.endsWith('core/catalogue/table2.ts'))).toEqual([]);
  }, 60_000);
});
