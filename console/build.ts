/**
 * Builds the console into console/dist when what is there is missing or older than its
 * sources, so `npm start` on a fresh clone serves it without a separate build step and a
 * second start costs only a directory walk. `npm run console:build` builds it always.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
/** Where the built console lands: index.html and assets/. */
export const CONSOLE_DIST = join(here, 'dist');
const STAMP = join(CONSOLE_DIST, 'index.html');

/** The build's configuration, for builds into another directory (the stack's asset). */
export const CONSOLE_VITE_CONFIG = join(here, 'vite.config.ts');

/** What the bundle is made of: the console's own files and the parts of lambdas/ it imports. */
const SOURCES = [
  join(here, 'src'),
  join(here, 'index.html'),
  join(here, 'vite.config.ts'),
  join(here, '..', 'lambdas', 'core', 'catalogue'),
  join(here, '..', 'lambdas', 'contract', 'client.ts'),
  join(here, '..', 'lambdas', 'contract', 'paths.ts'),
];

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** Whether console/dist is missing or older than a source. */
export function consoleIsStale(): boolean {
  return !existsSync(STAMP) || statSync(STAMP).mtimeMs < Math.max(...SOURCES.map(newest));
}

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => filesUnder(join(path, name)));
}

/**
 * A digest of everything the bundle is built from: the sources above and the lockfile
 * (Vite, Preact and their plugins decide the output too). The stack names its asset
 * with it, so `cdk deploy` builds the console again only when one of them changed.
 */
export function consoleSourceHash(
  sources: readonly string[] = [...SOURCES, join(here, '..', 'package-lock.json')],
): string {
  const hash = createHash('sha256');
  const root = join(here, '..');
  for (const file of sources.flatMap(filesUnder)) {
    hash
      .update(relative(root, file).split('\\').join('/'))
      .update('\0')
      .update(readFileSync(file))
      .update('\0');
  }
  return hash.digest('hex');
}

/** Builds the console with Vite's API; quiet unless something is wrong. */
export async function buildConsole(): Promise<void> {
  const { build } = await import('vite');
  await build({ configFile: join(here, 'vite.config.ts'), logLevel: 'warn' });
}

/** Builds only when stale; answers whether it built. */
export async function ensureConsoleBuilt(): Promise<boolean> {
  if (!consoleIsStale()) return false;
  await buildConsole();
  return true;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = Date.now();
  buildConsole().then(
    () => process.stdout.write(`console built into ${CONSOLE_DIST} in ${Date.now() - started} ms\n`),
    (e: unknown) => {
      process.stderr.write(`console build failed: ${String(e)}\n`);
      process.exit(1);
    },
  );
}
