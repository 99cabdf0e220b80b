/**
 * Where the CDK app finds the project's files, and the small naming helpers every
 * construct of `lib/` shares.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository root (`lib/` sits directly under it). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Absolute path of a file given relative to the repository root. */
export function projectPath(...segments: string[]): string {
  return path.join(PROJECT_ROOT, ...segments);
}

/** `groupActions` → `GroupActions`, `TAKE_OVER` → `TakeOver`: construct ids read like the data they come from. */
export function pascalCase(id: string): string {
  const words = /^[A-Z0-9_]+$/.test(id) ? id.toLowerCase().split('_') : [id];
  return words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}
