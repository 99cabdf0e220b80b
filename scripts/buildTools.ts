/**
 * `npm run build:tools`: `prg` and `prg-agent` as single-file ES module bundles for Node 22
 * (dist/prg.mjs, dist/prg-agent.mjs). Each file holds every dependency it needs, so a
 * presence node gets the agent by copying one file (docs/install.md) instead of a
 * checkout with its node_modules.
 */
import { chmodSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The tools and their entry points. `lazy`: packages a tool imports only with `import()`
 * for one rare command, kept in the file as text and compiled on first use (see
 * {@link lazyText}).
 */
export const TOOLS = [
  // The Cognito SDK serves `prg login --fetch-secret` alone: 0.9 MB as bundled code, about
  // 0.58 MB as minified text (dist/prg.mjs: 1.13 MB before, 0.78 MB now).
  { name: 'prg', entry: 'cli/main.ts', lazy: ['@aws-sdk/client-cognito-identity-provider'] },
  { name: 'prg-agent', entry: 'agent/main.ts', lazy: [] },
] as const satisfies readonly { name: string; entry: string; lazy: readonly string[] }[];

/** The source URL of a lazily compiled package: names it in stack traces (and the bundle test looks for it). */
export const LAZY_MARKER = 'prg-lazy-module:';

/**
 * A package bundled on its own as CommonJS text. A single-file bundle cannot hold a
 * separate chunk (esbuild's code splitting writes several files), and code in the file,
 * even code that never runs, is parsed at every start. Loading the bundle for
 * `prg --version` (Node 22, best of 15 on a busy 2-core machine): about 190 ms with the
 * SDK as code, 125 ms without the SDK at all, 137 ms with it as text, which is only
 * scanned until used.
 */
async function lazyText(pkg: string): Promise<string> {
  const out = await build({
    stdin: { contents: `module.exports = require(${JSON.stringify(pkg)});`, resolveDir: ROOT },
    bundle: true,
    platform: 'node',
    target: `node${MIN_NODE_MAJOR}`,
    format: 'cjs',
    // Fully minified (it is only text until used), with names kept so the SDK's error
    // names, which prg tells apart, and its stack traces read as usual.
    minify: true,
    keepNames: true,
    legalComments: 'none',
    logLevel: 'warning',
    write: false,
  });
  const [file] = out.outputFiles;
  if (!file) throw new Error(`esbuild wrote nothing for ${pkg}`);
  return file.text;
}

/**
 * Replaces `import(pkg)` of each lazy package by a module that compiles the package's
 * text when the import runs. esbuild evaluates a dynamically imported module only when
 * `import()` is reached, so the other commands never compile it. Only Node's own modules
 * are required from inside it: the text bundles everything else.
 */
function lazyModules(texts: ReadonlyMap<string, string>): Plugin {
  return {
    name: 'prg-lazy-modules',
    setup(b) {
      for (const pkg of texts.keys()) {
        const filter = new RegExp(`^${pkg.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`);
        b.onResolve({ filter }, (args) =>
          args.kind === 'dynamic-import' ? { path: pkg, namespace: 'prg-lazy' } : undefined,
        );
      }
      b.onLoad({ filter: /.*/, namespace: 'prg-lazy' }, (args) => ({
        loader: 'js',
        contents: [
          `const mod = { exports: {} };`,
          `new Function('module', 'exports', 'require', ${JSON.stringify(`${texts.get(args.path)}\n//# sourceURL=${LAZY_MARKER}${args.path}`)})(mod, mod.exports, require);`,
          `module.exports = mod.exports;`,
        ].join('\n'),
      }));
    },
  };
}

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
    const lazy = new Map<string, string>();
    for (const pkg of tool.lazy) lazy.set(pkg, await lazyText(pkg));
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
      plugins: lazy.size > 0 ? [lazyModules(lazy)] : [],
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
