/**
 * The heartbeat function loads, when it starts, only what a steady heartbeat uses: the
 * DynamoDB client. Step Functions and EventBridge are imported by their adapters on first
 * use (a take-over, an event). Loading them at start was most
 * of the heartbeat's cold start beyond DynamoDB's own (docs/performance.md); this keeps a
 * new static import of them from coming back unnoticed. Built with the stack's options.
 */
import { describe, expect, it } from 'vitest';
import { bundleFunction, staticExternalImports } from '../../bench/bundles';

const root = new URL('../../../', import.meta.url).pathname;

describe('the heartbeat bundle', () => {
  it('loads at start only the DynamoDB client among the AWS SDK packages, the rest on first use', async () => {
    const { metafile } = await bundleFunction(root, 'heartbeat');
    const atStart = staticExternalImports(metafile);
    expect(atStart.filter((m) => m.startsWith('@aws-sdk/'))).toEqual([
      '@aws-sdk/client-dynamodb',
      '@aws-sdk/lib-dynamodb',
    ]);
    const output = Object.values(metafile.outputs).find((o) => o.entryPoint);
    const later = output?.imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path) ?? [];
    expect(later).toEqual(expect.arrayContaining(['@aws-sdk/client-sfn', '@aws-sdk/client-eventbridge']));
    // The adapters of ports a heartbeat never uses are left out (heartbeatPortsFrom).
    // Under 100 bytes is what esbuild leaves of a module none of whose code is used.
    const bundled = Object.entries(output?.inputs ?? {}).filter(([, input]) => input.bytesInOutput > 100);
    expect(
      bundled.map(([path]) => path).filter((p) => /adapters\/dynamodb\/(users|cursorKey|probe)\.ts$/.test(p)),
    ).toEqual([]);
  }, 60_000);
});
