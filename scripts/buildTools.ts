/**
 * `npm run build:tools`: `prg` and `prg-agent` as single-file ES module bundles for Node 22
 * (dist/prg.mjs, dist/prg-agent.mjs). Each file holds every dependency it needs, so a
 * presence node gets the agent by copying one file (docs/install.md) instead of a
 * checkout with its node_modules.
 */
import { chmodSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The tools and their entry points. */
export const TOOLS = [
  { name: 'prg', entry: 'cli/main.ts' },
  { name: 'prg-agent', entry: 'agent/main.ts' },
] as const;

/** The oldest Node the bundles run on: the Lambda runtime's, and the one the project installs. */
export const MIN_NODE_MAJOR = 22;

// Runs before anything else in the bundle: a clear refusal on an older Node, and a
// `require` for the CommonJS dependencies esbuild inlines into the ES module.
const BANNER = `#!/usr/bin/env node
if (Number(process.versions.node.split('.')[0]) < ${MIN_NODE_MAJOR}) {
  process.stderr.write('This tool needs Node.js ${MIN_NODE_MAJOR} or newer; this is ' + process.version + '.\\n');
  process.exit(2);
}
import { createRequire as __prgCreateRequire } from 'node:module';
const require = __prgCreateRequire(import.meta.url);`;

/** Builds both bundles into `outdir`; returns their paths. */
export async function buildTools(outdir = path.join(ROOT, 'dist')): Promise<string[]> {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const outputs: string[] = [];
  for (const tool of TOOLS) {
    const outfile = path.join(outdir, `${tool.name}.mjs`);
    await build({
      entryPoints: [path.join(ROOT, tool.entry)],
      outfile,
      bundle: true,
      platform: 'node',
      target: `node${MIN_NODE_MAJOR}`,
      format: 'esm',
      banner: { js: BANNER },
      // The version is baked in: the bundle has no package.json next to it.
      define: { 'process.env.PRG_BUILD_VERSION': JSON.stringify(pkg.version) },
      minifySyntax: true,
      minifyWhitespace: true,
      legalComments: 'none',
      logLevel: 'warning',
    });
    chmodSync(outfile, 0o755);
    outputs.push(outfile);
  }
  return outputs;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outputs = await buildTools(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
  for (const file of outputs) process.stdout.write(`${path.relative(process.cwd(), file)}\n`);
}
