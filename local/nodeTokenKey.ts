import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  keyRingFromSecret,
  LEGACY_NODE_TOKENS_ENV,
  legacyWindowEnd,
  StaticNodeTokenKeys,
  type NodeTokenKeyRing,
} from '../lambdas/app';

/** The settings item that keeps the key when there is no data directory. */
export const NODE_TOKEN_KEY_SCOPE = 'node-token-key';

/** Where the embedded default's data lives when it has no data directory. */
export interface KeyStorage {
  readonly dynamodb: DynamoDBClient;
  readonly settingsTable: string;
}

/** The file in PRG_DATA_DIR holding the embedded default's node token key, in the secret's JSON form. */
export const NODE_TOKEN_KEY_FILE = 'node-token-key.json';

/**
 * The embedded default's node token keys, kept exactly as long as the registered nodes
 * they vouch for. With a data directory the key is kept there (created on first start,
 * readable by its owner only); the file takes the same JSON as the AWS secret, so a key
 * can be replaced offline with a grace for the previous one (docs/threat-model.md).
 * Without one, it is kept in the settings table: in memory with our own DynamoDB Local,
 * but on disk with a DynamoDB brought along (PRG_DYNAMODB_ENDPOINT), whose nodes would
 * otherwise outlive their key and be refused, fencing, after a restart.
 *
 * Tokens of the previous release (`prgn.`) are checked against their stored hash until
 * the legacy window closes: `PRG_LEGACY_NODE_TOKENS_UNTIL` (an ISO date-time, or
 * `closed`), by default the release's date (docs/runbooks.md, upgrading).
 */
export async function embeddedNodeTokenKeys(
  dataDir: string | undefined,
  storage?: KeyStorage,
  env: NodeJS.ProcessEnv = process.env,
): Promise<StaticNodeTokenKeys> {
  const legacyUntil = legacyWindowEnd(env[LEGACY_NODE_TOKENS_ENV], LEGACY_NODE_TOKENS_ENV);
  const withWindow = (ring: NodeTokenKeyRing) => new StaticNodeTokenKeys({ ...ring, legacyUntil });
  if (dataDir === undefined) {
    if (storage) return withWindow(await keysInSettings(storage));
    // A key made here and now has issued nothing before: no legacy token can be one of its nodes'.
    return StaticNodeTokenKeys.random();
  }
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
    return withWindow(keyRingFromSecret(await readFile(path, 'utf8')));
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`, { cause: e });
  }
}

/** The key from the settings table, made at random by the first start (a conditional write). */
async function keysInSettings(storage: KeyStorage): Promise<NodeTokenKeyRing> {
  const db = DynamoDBDocumentClient.from(storage.dynamodb);
  const key = { scope: NODE_TOKEN_KEY_SCOPE };
  const read = async () => {
    const out = await db.send(
      new GetCommand({ TableName: storage.settingsTable, Key: key, ConsistentRead: true }),
    );
    return typeof out.Item?.secret === 'string' ? out.Item.secret : null;
  };
  let secret = await read();
  if (secret === null) {
    const fresh = JSON.stringify({ current: randomBytes(48).toString('base64url') });
    try {
      await db.send(
        new PutCommand({
          TableName: storage.settingsTable,
          Item: { ...key, secret: fresh },
          ConditionExpression: 'attribute_not_exists(#scope)',
          ExpressionAttributeNames: { '#scope': 'scope' },
        }),
      );
      secret = fresh;
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      secret = await read();
    }
  }
  if (secret === null)
    throw new Error(`The settings item ${NODE_TOKEN_KEY_SCOPE} vanished while it was being read.`);
  return keyRingFromSecret(secret);
}
