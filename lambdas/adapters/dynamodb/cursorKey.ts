import { randomBytes } from 'node:crypto';
import { GetCommand, PutCommand, type DocumentDb } from './commands';
import { HmacCursorSigner } from '../../app/paging';
import type { CursorSigner } from '../../app/ports';
import { isConditionFailure, type TableNames } from './client';

/** The settings item that holds the key (beside `enterprise` and `cluster#<id>`). */
const CURSOR_KEY_SCOPE = 'cursor-key';

/**
 * Signs list cursors with a key kept in the settings table: made at random by the first
 * list that needs one (a conditional write, so concurrent first calls agree on one key),
 * then read once per process. Every function of a deployment, and the embedded default
 * after a restart on the same PRG_DATA_DIR, signs with the same key, so a cursor one
 * Lambda instance handed out is good on any other. Whoever can read the table can read
 * every list anyway, so the key is no weaker there than the data it protects.
 */
export class DynamoCursorSigner implements CursorSigner {
  private signer: HmacCursorSigner | null = null;

  constructor(
    private readonly db: DocumentDb,
    private readonly tables: TableNames,
  ) {}

  private async read(): Promise<string | null> {
    const out = await this.db.send(
      new GetCommand({
        TableName: this.tables.settings,
        Key: { scope: CURSOR_KEY_SCOPE },
        ConsistentRead: true,
      }),
    );
    const key = out.Item?.key;
    return typeof key === 'string' ? key : null;
  }

  /** The signer, loading (and with `create`, making) the key on first use; null when none exists. */
  private async load(create: boolean): Promise<HmacCursorSigner | null> {
    if (this.signer) return this.signer;
    let key = await this.read();
    if (key === null && create) {
      const fresh = randomBytes(32).toString('base64url');
      try {
        await this.db.send(
          new PutCommand({
            TableName: this.tables.settings,
            Item: { scope: CURSOR_KEY_SCOPE, key: fresh },
            ConditionExpression: 'attribute_not_exists(#scope)',
            ExpressionAttributeNames: { '#scope': 'scope' },
          }),
        );
        key = fresh;
      } catch (e) {
        if (!isConditionFailure(e)) throw e;
        // Another request made one first: use theirs.
        key = await this.read();
      }
    }
    if (key === null) return null;
    this.signer = new HmacCursorSigner([Buffer.from(key, 'base64url')]);
    return this.signer;
  }

  async sign(payload: string): Promise<string> {
    const signer = await this.load(true);
    if (!signer)
      throw new Error('The cursor signing key was written but cannot be read back from the settings table.');
    return signer.signNow(payload);
  }

  async verify(payload: string, signature: string): Promise<boolean> {
    // Without a key nothing was ever signed, and a refused request must write nothing.
    const signer = await this.load(false);
    return signer ? signer.verifyNow(payload, signature) : false;
  }
}
