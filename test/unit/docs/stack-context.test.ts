import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Regression: docs/stack.md's context table went stale as keys were added (wafAclArn,
// frontWafStack, legacyNodeTokensUntil were read by the app but not documented).

const root = join(__dirname, '../../..');

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => readFileSync(join(root, dir, f), 'utf8'));
}

/** Every context key the CDK app reads by name: `context('key')` or `tryGetContext('key')`. */
function contextKeys(): string[] {
  const keys = new Set<string>();
  for (const text of [...sources('lib'), ...sources('bin')]) {
    for (const m of text.matchAll(/\b(?:context|tryGetContext)\(\s*'([A-Za-z0-9]+)'\s*\)/g)) keys.add(m[1]!);
  }
  return [...keys].sort();
}

/** The rows of docs/stack.md's context table: the keys of the first cell (one or several), the default. */
function documentedRows(): { keys: string[]; fallback: string }[] {
  const doc = readFileSync(join(root, 'docs/stack.md'), 'utf8');
  const table = doc.slice(doc.indexOf('| key '));
  return table
    .slice(0, table.search(/\n(?!\|)/))
    .split('\n')
    .slice(2)
    .map((row) => {
      const cells = row.split('|');
      return {
        keys: [...cells[1]!.matchAll(/`([A-Za-z0-9]+)`/g)].map((m) => m[1]!),
        fallback: cells[2]!.trim(),
      };
    });
}

describe('the stack context keys', () => {
  it('finds the keys the app reads (the scan itself works)', () => {
    expect(contextKeys()).toEqual(
      expect.arrayContaining(['stackName', 'console', 'front', 'wafAclArn', 'legacyNodeTokensUntil']),
    );
  });

  it('every key the app reads has a row, with a default, in docs/stack.md', () => {
    const rows = documentedRows();
    const documented = rows.flatMap((r) => r.keys);
    expect(contextKeys().filter((k) => !documented.includes(k))).toEqual([]);
    expect(rows.filter((r) => r.keys.length === 0 || r.fallback === '')).toEqual([]);
  });

  it("every key is named in bin/presence-ha.ts's header comment", () => {
    const bin = readFileSync(join(root, 'bin/presence-ha.ts'), 'utf8');
    const header = bin.slice(0, bin.indexOf('*/'));
    expect(contextKeys().filter((k) => !new RegExp(`\\b${k}\\b`).test(header))).toEqual([]);
  });
});
