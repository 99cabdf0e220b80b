import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { keyRingFromSecret, StaticNodeTokenKeys } from '../lambdas/app';

/** The file in PRG_DATA_DIR holding the embedded default's node token key, in the secret's JSON form. */
export const NODE_TOKEN_KEY_FILE = 'node-token-key.json';

/**
 * The embedded default's node token keys. With a data directory the key is kept there
 * (created on first start, readable by its owner only), so the tokens of registered nodes
 * outlive a restart as the nodes do; without one it is random and lives as long as the
 * in-memory data it protects. The file takes the same JSON as the AWS secret, so a key
 * can be replaced offline with a grace for the previous one (docs/threat-model.md).
 */
export async function embeddedNodeTokenKeys(dataDir: string | undefined): Promise<StaticNodeTokenKeys> {
  if (dataDir === undefined) return StaticNodeTokenKeys.random();
  const path = join(dataDir, NODE_TOKEN_KEY_FILE);
  try {
    await writeFile(path, `${JSON.stringify({ current: randomBytes(48).toString('base64url') })}\n`, {
      mode: 0o600,
      flag: 'wx',
    });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  try {
    return new StaticNodeTokenKeys(keyRingFromSecret(await readFile(path, 'utf8')));
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`, { cause: e });
  }
}
