import { createHash } from 'node:crypto';

/** How many words make a run that counts as copied. */
export const RUN = 8;

/** A word and the line (1-based) it starts on. */
export interface Word {
  readonly text: string;
  readonly line: number;
}

// Letters and digits; an apostrophe (straight or curly) between two of them stays in the word.
const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu;

/** The words of a text, lower-cased, curly apostrophes made straight, each with its line. */
export function words(text: string): Word[] {
  const out: Word[] = [];
  let line = 1;
  let seen = 0;
  for (const m of text.matchAll(WORD)) {
    for (let i = seen; i < m.index; i++) if (text.charCodeAt(i) === 10) line++;
    seen = m.index;
    out.push({ text: m[0].toLowerCase().replaceAll('’', "'"), line });
  }
  return out;
}

/** A shingle's fingerprint: the first 16 hex digits of the sha256 of its words joined by one space. */
export function hashShingle(ws: readonly string[]): string {
  return createHash('sha256').update(ws.join(' ')).digest('hex').slice(0, 16);
}

/** The fingerprints of every run of {@link RUN} consecutive words of a text. */
export function shingleHashes(text: string): Set<string> {
  const ws = words(text).map((w) => w.text);
  const out = new Set<string>();
  for (let i = 0; i + RUN <= ws.length; i++) out.add(hashShingle(ws.slice(i, i + RUN)));
  return out;
}

/** A stretch of a text whose every run of {@link RUN} words is in the fixture. */
export interface Match {
  readonly fromLine: number;
  readonly toLine: number;
  readonly words: string;
}

/**
 * Which words of `ws` belong to a whole occurrence of one of `names` (each given as its
 * words). A run made only of such words is a list of names, not prose.
 */
export function nameWords(ws: readonly Word[], names: readonly (readonly string[])[]): boolean[] {
  const byFirst = new Map<string, (readonly string[])[]>();
  for (const n of names) {
    if (n.length === 0) continue;
    const list = byFirst.get(n[0]!) ?? [];
    list.push(n);
    byFirst.set(n[0]!, list);
  }
  const covered = ws.map(() => false);
  ws.forEach((w, i) => {
    for (const n of byFirst.get(w.text) ?? []) {
      if (n.every((x, k) => ws[i + k]?.text === x)) for (let k = 0; k < n.length; k++) covered[i + k] = true;
    }
  });
  return covered;
}

/**
 * The stretches of `text` made of runs found in `known`, leaving out runs in `allowed`
 * and runs made only of whole `names`; overlapping runs are merged, so one copied
 * sentence is one match.
 */
export function findMatches(
  text: string,
  known: ReadonlySet<string>,
  allowed: ReadonlySet<string>,
  names: readonly (readonly string[])[] = [],
): Match[] {
  const ws = words(text);
  const named = nameWords(ws, names);
  const hit: boolean[] = [];
  for (let i = 0; i + RUN <= ws.length; i++) {
    const h = hashShingle(ws.slice(i, i + RUN).map((w) => w.text));
    hit[i] = known.has(h) && !allowed.has(h) && !named.slice(i, i + RUN).every(Boolean);
  }
  const out: Match[] = [];
  for (let i = 0; i < hit.length; i++) {
    if (!hit[i]) continue;
    let end = i;
    while (hit[end + 1]) end++;
    const run = ws.slice(i, end + RUN);
    out.push({
      fromLine: run[0]!.line,
      toLine: run[run.length - 1]!.line,
      words: run.map((w) => w.text).join(' '),
    });
    i = end;
  }
  return out;
}
