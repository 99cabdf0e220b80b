/**
 * The Lambda bundles as `cdk deploy` builds them (`LAMBDA_BUNDLING` of
 * lib/constructs/project-function.ts), measured: size of each bundle and the time a
 * fresh Node process takes to load the heartbeat bundle the way Lambda's runtime loads a
 * CommonJS handler (`require`), its cold start minus the runtime's own. The AWS SDK is
 * external, as on Lambda, and is loaded from node_modules by the bundle, so its load time
 * is counted. A traced function's bundle leaves Powertools and the X-Ray SDK to the
 * Powertools layer, as the stack builds it; its size is the bundle's, without the layer.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { FUNCTION_IDS, functionEntry, type FunctionId } from '../../lambdas/contract';
import { bundleExternals, LAMBDA_BUNDLING } from '../../lib/constructs/project-function';

/**
 * The external packages a bundle's `require` loads, seen from inside a new Node process
 * (the package folders in `require.cache` afterwards): what a cold start really pays for.
 * A package imported only on first use, or by a bundled module only initialized on first
 * use, is not among them. `bundle` must lie inside the project so node_modules resolves.
 */
export function packagesLoadedAtStart(root: string, bundle: string, env: NodeJS.ProcessEnv = {}): string[] {
  const probe = `require(${JSON.stringify(bundle)});
const names = new Set();
for (const path of Object.keys(require.cache)) {
  const m = new RegExp('node_modules/((?:@[^/]+/)?[^/]+)/').exec(path);
  if (m) names.add(m[1]);
}
process.stdout.write(JSON.stringify([...names].sort()));`;
  const child = spawnSync(process.execPath, ['-e', probe], {
    cwd: root,
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT', AWS_REGION: 'us-east-1', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (child.status !== 0) throw new Error(`The bundle ${bundle} did not load: ${child.stderr}`);
  return JSON.parse(child.stdout) as string[];
}

/**
 * Builds one function's bundle with the stack's options; `outfile` undefined keeps it in
 * memory. `withPowertoolsLayer`: Powertools and the X-Ray SDK left out, as for a traced function.
 */
export function bundleFunction(root: string, id: FunctionId, outfile?: string, withPowertoolsLayer = false) {
  return build({
    ...LAMBDA_BUNDLING,
    mainFields: [...LAMBDA_BUNDLING.mainFields],
    external: bundleExternals(withPowertoolsLayer),
    entryPoints: [join(root, functionEntry(id))],
    bundle: true,
    platform: 'node',
    metafile: true,
    logLevel: 'warning',
    ...(outfile ? { outfile } : { outfile: `${id}.js`, write: false }),
  });
}

/** The package a traced function's code loads (lambdas/handlers/tracing.ts); the others never do. */
const TRACER_PACKAGE = '@aws-lambda-powertools/tracer';

/**
 * Builds one function's bundle as `cdk deploy` does. The stack traces, and gives the
 * Powertools layer to, exactly the functions whose entry uses the tracer (the stack test
 * test/stack/powertoolsLayer.test.ts and test/unit/bundles/tracing.test.ts hold both sides
 * to the same list), so a bundle that loads the tracer from outside is built that way and
 * any other is built with Powertools inside it.
 */
export async function bundleAsDeployed(root: string, id: FunctionId, outfile?: string) {
  const layered = await bundleFunction(root, id, outfile, true);
  const output = Object.values(layered.metafile.outputs).find((o) => o.entryPoint);
  const traced = (output?.imports ?? []).some(
    (i) => i.external && (i.path === TRACER_PACKAGE || i.path.startsWith(`${TRACER_PACKAGE}/`)),
  );
  if (traced) return { result: layered, withPowertoolsLayer: true };
  return { result: await bundleFunction(root, id, outfile, false), withPowertoolsLayer: false };
}

export interface BundleFigures {
  /** Size of each function's bundle (without its source map), KiB. */
  kib: Record<FunctionId, number>;
  largestKiB: number;
  /** The functions built to take Powertools and the X-Ray SDK from the Powertools layer. */
  withPowertoolsLayer: FunctionId[];
  /** Median of a few cold loads of the heartbeat bundle in a new process, ms. */
  heartbeatColdImportMs: number;
  /** The same with the AWS SDK already loaded: what the bundle itself costs, ms. */
  heartbeatOwnImportMs: number;
  /** The SDK packages the heartbeat bundle loads at once, loaded alone, ms. */
  heartbeatSdkImportMs: number;
  /** The packages the heartbeat bundle loads at once (the rest only on first use). */
  heartbeatStaticImports: string[];
}

/** Builds every function's bundle into a temporary directory inside the project (so node_modules resolves). */
export async function measureBundles(root: string): Promise<BundleFigures> {
  const out = mkdtempSync(join(root, '.bench-bundles-'));
  try {
    const kib = {} as Record<FunctionId, number>;
    const withPowertoolsLayer: FunctionId[] = [];
    for (const id of FUNCTION_IDS) {
      const outfile = join(out, `${id}.cjs`);
      const built = await bundleAsDeployed(root, id, outfile);
      if (built.withPowertoolsLayer) withPowertoolsLayer.push(id);
      kib[id] = statSync(outfile).size / 1024;
    }
    const heartbeatImports = packagesLoadedAtStart(root, join(out, 'heartbeat.cjs'));
    const bundle = JSON.stringify(join(out, 'heartbeat.cjs'));
    // Cold: the bundle and the SDK packages it loads. Own: those already loaded, the bundle alone.
    const sdk = heartbeatImports.filter((m) => m.startsWith('@aws-sdk/'));
    const cold = join(out, 'cold.cjs');
    writeFileSync(
      cold,
      `const t0 = performance.now(); require(${bundle}); process.stdout.write(String(performance.now() - t0));`,
    );
    const own = join(out, 'own.cjs');
    writeFileSync(
      own,
      `${sdk.map((m) => `require('${m}');`).join(' ')} const t0 = performance.now(); require(${bundle}); process.stdout.write(String(performance.now() - t0));`,
    );
    // What the SDK alone takes: the floor of the cold import while the bundle needs it at load.
    const sdkOnly = join(out, 'sdk.cjs');
    writeFileSync(
      sdkOnly,
      `const t0 = performance.now(); ${sdk.map((m) => `require('${m}');`).join(' ')} process.stdout.write(String(performance.now() - t0));`,
    );
    const median = (probe: string) => {
      const times: number[] = [];
      for (let run = 0; run < 5; run++) {
        const env = { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT', AWS_REGION: 'us-east-1' };
        const child = spawnSync(process.execPath, [probe], {
          cwd: root,
          env,
          encoding: 'utf8',
          timeout: 30_000,
        });
        if (child.status !== 0) throw new Error(`The heartbeat bundle did not import: ${child.stderr}`);
        times.push(Number(child.stdout));
      }
      times.sort((a, b) => a - b);
      return times[Math.floor(times.length / 2)] ?? Number.NaN;
    };
    return {
      kib,
      largestKiB: Math.max(...Object.values(kib)),
      withPowertoolsLayer,
      heartbeatColdImportMs: median(cold),
      heartbeatOwnImportMs: median(own),
      heartbeatSdkImportMs: median(sdkOnly),
      heartbeatStaticImports: heartbeatImports,
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
