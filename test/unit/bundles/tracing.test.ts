/**
 * X-Ray is for the admin, sweep and workflow functions only. The heartbeat is nearly every
 * invocation of the control plane: its bundle must not carry the Powertools Tracer and the
 * X-Ray SDK (size and cold import). The traced functions take the tracer, the rest of
 * Powertools and the X-Ray SDK from the Powertools layer the stack gives them
 * (test/stack/powertoolsLayer.test.ts): their bundles must hold none of that code, must
 * load it with `require` (the layer is found on Lambda's NODE_PATH), and must ask for
 * nothing the layer or the runtime does not provide. Outside Lambda the traced handlers
 * must run as before, with no X-Ray daemon.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Metafile } from 'esbuild';
import { type FunctionId } from '../../../lambdas/contract';
import { bundleAsDeployed, bundleFunction } from '../../bench/bundles';

const root = new URL('../../../', import.meta.url).pathname;

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
const POWERTOOLS_CODE = /node_modules\/(@aws-lambda-powertools\/|aws-xray-sdk-core\/)/;
/** What the Powertools layer holds among what these bundles use (it holds more utilities). */
const IN_LAYER = /^@aws-lambda-powertools\/(commons|logger|metrics|tracer)(\/|$)/;

function entryOutput(metafile: Metafile) {
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint);
  if (!output) throw new Error('esbuild reported no entry output');
  return output;
}

describe('tracing in the bundles, built as the stack builds them', () => {
  it.each(UNTRACED)(
    '%s: no tracer and no X-Ray SDK in the bundle, and no Powertools from a layer',
    async (id) => {
      const { result, withPowertoolsLayer } = await bundleAsDeployed(root, id);
      expect(withPowertoolsLayer).toBe(false);
      const output = entryOutput(result.metafile);
      const inputs = Object.keys(output.inputs);
      expect(inputs.length).toBeGreaterThan(0);
      expect(inputs.filter((file) => TRACER_CODE.test(file))).toEqual([]);
      // Logger and metrics are bundled: this function has no layer to load them from.
      expect(
        output.imports.filter((i) => i.external && i.path.startsWith('@aws-lambda-powertools/')),
      ).toEqual([]);
    },
    60_000,
  );

  it.each(TRACED)(
    '%s: loads the tracer from the Powertools layer and bundles no Powertools or X-Ray code',
    async (id) => {
      const { result, withPowertoolsLayer } = await bundleAsDeployed(root, id);
      expect(withPowertoolsLayer).toBe(true);
      const output = entryOutput(result.metafile);
      expect(Object.keys(output.inputs).filter((file) => POWERTOOLS_CODE.test(file))).toEqual([]);
      const externals = [...new Set(output.imports.filter((i) => i.external).map((i) => i.path))];
      expect(externals).toContain('@aws-lambda-powertools/tracer');
      // Everything left out is in the layer, in the runtime (the AWS SDK) or in Node.
      expect(
        externals.filter((m) => !IN_LAYER.test(m) && !m.startsWith('@aws-sdk/') && !isBuiltin(m)),
      ).toEqual([]);
    },
    60_000,
  );

  it('a traced bundle runs with Powertools found outside it, as on Lambda with the layer', async () => {
    // Written inside the project so that its `require`s find node_modules, which here
    // stands for the layer's /opt/nodejs/node_modules (same packages, same version).
    const dir = mkdtempSync(join(root, '.test-bundle-'));
    try {
      const outfile = join(dir, 'groups.cjs');
      await bundleFunction(root, 'groups', outfile, true);
      const probe = `
        const { handler } = require(${JSON.stringify(outfile)});
        handler(
          { routeKey: 'GET /v1/nowhere', rawPath: '/v1/nowhere', headers: {}, requestContext: { requestId: 'r-1' } },
          { functionName: 'groups', awsRequestId: 'a-1' },
        ).then((r) => process.stdout.write(JSON.stringify(r)), (e) => { console.error(e); process.exit(1); });`;
      const child = spawnSync(process.execPath, ['-e', probe], {
        cwd: dir,
        env: { PATH: process.env.PATH, POWERTOOLS_LOG_LEVEL: 'SILENT', AWS_REGION: 'eu-west-1' },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(child.status, child.stderr).toBe(0);
      const response = JSON.parse(child.stdout) as { statusCode: number; body: string };
      expect(response.statusCode).toBe(404);
      expect(response.body).toContain('No route GET /v1/nowhere');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
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
