/**
 * The Lambda bundles as `cdk deploy` builds them (the esbuild options of
 * lib/constructs/project-function.ts), measured: size of each bundle and the time a
 * fresh Node process takes to import the heartbeat bundle (its cold start minus the
 * runtime's own). The AWS SDK is external, as on Lambda, and is loaded from
 * node_modules by the import, so its load time is counted.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { FUNCTION_IDS, functionEntry, type FunctionId } from '../../lambdas/contract';
import { BUNDLE_BANNER } from '../../lib/constructs/project-function';

/** The SDK clients the bundles leave to the runtime. */
const SDK = [
  '@aws-sdk/client-dynamodb',
  '@aws-sdk/lib-dynamodb',
  '@aws-sdk/client-sfn',
  '@aws-sdk/client-eventbridge',
];

export interface BundleFigures {
  /** Size of each function's bundle (without its source map), KiB. */
  kib: Record<FunctionId, number>;
  largestKiB: number;
  /** Median of a few cold imports of the heartbeat bundle in a new process, ms. */
  heartbeatColdImportMs: number;
  /** The same with the AWS SDK already loaded: what the bundle itself costs, ms. */
  heartbeatOwnImportMs: number;
}

/** Builds every function's bundle into a temporary directory inside the project (so node_modules resolves). */
export async function measureBundles(root: string): Promise<BundleFigures> {
  const out = mkdtempSync(join(root, '.bench-bundles-'));
  try {
    const kib = {} as Record<FunctionId, number>;
    for (const id of FUNCTION_IDS) {
      const outfile = join(out, `${id}.mjs`);
      await build({
        entryPoints: [join(root, functionEntry(id))],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node22',
        mainFields: ['module', 'main'],
        banner: { js: BUNDLE_BANNER },
        minify: true,
        sourcemap: true,
        sourcesContent: false,
        external: ['@aws-sdk/*'],
        logLevel: 'warning',
      });
      kib[id] = statSync(outfile).size / 1024;
    }
    const bundle = JSON.stringify(join(out, 'heartbeat.mjs'));
    // Cold: the bundle and the SDK it imports. Own: the SDK already loaded, the bundle alone.
    const cold = join(out, 'cold.mjs');
    writeFileSync(
      cold,
      `const t0 = performance.now(); await import(${bundle}); process.stdout.write(String(performance.now() - t0));`,
    );
    const own = join(out, 'own.mjs');
    writeFileSync(
      own,
      `${SDK.map((m) => `await import('${m}');`).join(' ')} const t0 = performance.now(); await import(${bundle}); process.stdout.write(String(performance.now() - t0));`,
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
      heartbeatColdImportMs: median(cold),
      heartbeatOwnImportMs: median(own),
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
