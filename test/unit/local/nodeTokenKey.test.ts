import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LEGACY_NODE_TOKENS_UNTIL, issueNodeToken, verifyNodeToken } from '../../../lambdas/app';
import { embeddedNodeTokenKeys, NODE_TOKEN_KEY_FILE } from '../../../local/nodeTokenKey';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('the embedded default’s node token key', () => {
  it('is kept in PRG_DATA_DIR, readable by its owner only, so tokens outlive a restart', async () => {
    dir = await mkdtemp(join(tmpdir(), 'prg-key-'));
    const first = await (await embeddedNodeTokenKeys(dir)).keyRing();
    const token = issueNodeToken(first, 'imp-a', 1);
    const again = await (await embeddedNodeTokenKeys(dir)).keyRing();
    expect(verifyNodeToken(again, token, Date.now()).ok).toBe(true);
    expect((await stat(join(dir, NODE_TOKEN_KEY_FILE))).mode & 0o777).toBe(0o600);
  });

  it('without a data directory, is a new one each start (the data goes with it)', async () => {
    const token = issueNodeToken(await (await embeddedNodeTokenKeys(undefined)).keyRing(), 'imp-a', 1);
    expect(
      verifyNodeToken(await (await embeddedNodeTokenKeys(undefined)).keyRing(), token, Date.now()).ok,
    ).toBe(false);
  });

  it('names the file when it is not a key', async () => {
    dir = await mkdtemp(join(tmpdir(), 'prg-key-'));
    await writeFile(join(dir, NODE_TOKEN_KEY_FILE), '{"current":"short"}');
    await expect(embeddedNodeTokenKeys(dir)).rejects.toThrow(NODE_TOKEN_KEY_FILE);
  });

  it('keeps a data directory’s legacy (prgn.) tokens checkable until PRG_LEGACY_NODE_TOKENS_UNTIL, by default the release date', async () => {
    dir = await mkdtemp(join(tmpdir(), 'prg-key-'));
    expect((await (await embeddedNodeTokenKeys(dir, undefined, {})).keyRing()).legacyUntil).toBe(
      Date.parse(DEFAULT_LEGACY_NODE_TOKENS_UNTIL),
    );
    const closed = { PRG_LEGACY_NODE_TOKENS_UNTIL: 'closed' };
    expect((await (await embeddedNodeTokenKeys(dir, undefined, closed)).keyRing()).legacyUntil).toBeNull();
    const bad = { PRG_LEGACY_NODE_TOKENS_UNTIL: 'soon' };
    await expect(embeddedNodeTokenKeys(dir, undefined, bad)).rejects.toThrow(/PRG_LEGACY_NODE_TOKENS_UNTIL/);
    // A key made at this start has issued nothing before: no legacy token can be one of its nodes'.
    expect(
      (await (await embeddedNodeTokenKeys(undefined, undefined, {})).keyRing()).legacyUntil ?? null,
    ).toBeNull();
  });
});
