/**
 * X-Ray is for the admin, sweep and workflow functions only. The heartbeat is nearly every
 * invocation of the control plane: its bundle must not carry the Powertools Tracer and the
 * X-Ray SDK (size and cold import), and outside Lambda the traced handlers must run as
 * before, with no X-Ray daemon.
 */
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { functionEntry, type FunctionId } from '../../../lambdas/contract';

const TRACED: FunctionId[] = [
  'groups',
  'groupActions',
  'nodes',
  'parameters',
  'users',
  'sweep',
  'workflowTask',
];
const UNTRACED: FunctionId[] = ['heartbeat', 'public'];
const TRACER_CODE = /node_modules\/(@aws-lambda-powertools\/tracer|aws-xray-sdk-core)\//;

/** The input files of each entry's bundle, built as the stack builds them (SDK external). */
async function bundleInputs(ids: FunctionId[]): Promise<Map<FunctionId, string[]>> {
  const result = await build({
    entryPoints: Object.fromEntries(ids.map((id) => [id, functionEntry(id)])),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    mainFields: ['module', 'main'],
    external: ['@aws-sdk/*'],
    outdir: 'out',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = new Map<FunctionId, string[]>();
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    const id = ids.find((candidate) => file === `out/${candidate}.js`);
    if (id) inputs.set(id, Object.keys(output.inputs));
  }
  return inputs;
}

describe('tracing in the bundles', () => {
  it('keeps the tracer and the X-Ray SDK out of the heartbeat and public bundles, and puts it in the traced ones', async () => {
    const inputs = await bundleInputs([...TRACED, ...UNTRACED]);
    for (const id of UNTRACED) {
      expect(inputs.get(id)?.length, id).toBeGreaterThan(0);
      expect(
        inputs.get(id)!.filter((file) => TRACER_CODE.test(file)),
        id,
      ).toEqual([]);
    }
    for (const id of TRACED) {
      expect(
        inputs.get(id)!.some((file) => TRACER_CODE.test(file)),
        id,
      ).toBe(true);
    }
  });
});

describe('tracing outside Lambda', () => {
  it('is off without AWS_EXECUTION_ENV, and a traced entry answers as before', async () => {
    expect(process.env.AWS_EXECUTION_ENV).toBeUndefined();
    const { tracer } = await import('../../../lambdas/handlers/tracing');
    expect(tracer.isTracingEnabled()).toBe(false);
    const { handler } = await import('../../../lambdas/entries/groups');
    // A route the function does not serve: answered without touching storage.
    const response = (await handler(
      {
        routeKey: 'GET /v1/nowhere',
        rawPath: '/v1/nowhere',
        headers: {},
        requestContext: { requestId: 'r-1' },
      } as never,
      { functionName: 'groups', awsRequestId: 'a-1' } as never,
    )) as { statusCode: number; body: string };
    expect(response.statusCode).toBe(404);
    expect(response.body).toContain('No route GET /v1/nowhere');
  });
});
