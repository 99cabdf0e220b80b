/**
 * presence-ha re-creates a product described in a manual, and must say everything in its
 * own words. This test looks for 8-word runs of that manual in every text file git knows
 * about, using only fingerprints of the manual's runs (manual-shingles.txt, written by
 * makeShingles.ts), never the manual itself. The manual's names for states, reasons and
 * Table 2 rows are allowed: a run that lies wholly inside one of them is not reported.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CRITICAL_SERVICES,
  NODE_STATES,
  NODE_STATE_CODES,
  REASONS,
  REASON_CODES,
  TABLE_2,
} from '../../../lambdas/core';
import { findMatches, shingleHashes, words, RUN } from './shingles';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./manual-shingles.txt', import.meta.url));

/** Fingerprints of the manual's 8-word runs (see makeShingles.ts). */
const known = new Set(
  readFileSync(FIXTURE, 'utf8')
    .split('\n')
    .filter((l) => l !== ''),
);

/**
 * The manual's names that presence-ha keeps on purpose, read from the code: state and
 * reason labels (and their codes), Table 2 row titles, the default critical services.
 * A run lying wholly inside one of them is allowed, and so is a run made only of whole
 * names standing side by side (a list of states in a test, of services in a config);
 * a run with any other word in it is not.
 */
const names = [
  ...Object.values(NODE_STATES).map((s) => s.label),
  ...Object.values(REASONS),
  ...TABLE_2.map((r) => r.title),
  ...NODE_STATE_CODES,
  ...REASON_CODES,
  ...DEFAULT_CRITICAL_SERVICES,
];
const allowed = new Set(names.flatMap((n) => [...shingleHashes(n)]));
const nameList = names.map((n) => words(n).map((w) => w.text));

/** Files git knows about (tracked, or new and not ignored) that are text and may hold prose. */
function textFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
    .split('\0')
    .filter((f) => f !== '');
  const fixture = relative(ROOT, FIXTURE).split('\\').join('/');
  return [...new Set(listed)].filter(
    (f) => f !== fixture && !f.endsWith('package-lock.json') && existsSync(join(ROOT, f)),
  );
}

function readText(file: string): string | null {
  const buf = readFileSync(join(ROOT, file));
  return buf.subarray(0, 8000).includes(0) ? null : buf.toString('utf8');
}

describe('words of its own', () => {
  it('the fixture knows the manual: it holds the runs of the Table 2 row titles we keep', () => {
    expect(known.size).toBeGreaterThan(1000);
    expect([...allowed].filter((h) => known.has(h)).length).toBeGreaterThan(0);
  });

  it(`no text file in the repository repeats a ${RUN}-word run of the manual`, () => {
    const found: string[] = [];
    for (const file of textFiles()) {
      const text = readText(file);
      if (text === null) continue;
      for (const m of findMatches(text, known, allowed, nameList)) {
        const lines = m.fromLine === m.toLine ? `${m.fromLine}` : `${m.fromLine}-${m.toLine}`;
        found.push(`${file}:${lines}  "${m.words}"`);
      }
    }
    expect(
      found,
      `These passages repeat the manual word for word; say it in presence-ha's own words:\n${found.join('\n')}\n`,
    ).toEqual([]);
  });
});
