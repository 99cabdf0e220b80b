/**
 * Builds the console into console/dist when what is there is missing or older than its
 * sources, so `npm start` on a fresh clone serves it without a separate build step and a
 * second start costs only a directory walk. `npm run console:build` builds it always.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
/** Where the built console lands: index.html and assets/. */
export const CONSOLE_DIST = join(here, 'dist');
const STAMP = join(CONSOLE_DIST, 'index.html');

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
