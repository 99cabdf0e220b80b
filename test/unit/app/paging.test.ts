import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  HmacCursorSigner,
  openCursor,
  sealCursor,
  ValidationError,
  type CursorScope,
} from '../../../lambdas/app';

const NODES: CursorScope = { list: 'nodes', filters: {} };
const key = () => randomBytes(32);

async function refusal(promise: Promise<unknown>): Promise<ValidationError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  expect((error as ValidationError).errors.map((e) => e.path)).toEqual(['cursor']);
  return error as ValidationError;
}

describe('list cursors', () => {
  it('open what they sealed: the storage key, bound to the list and its filters', async () => {
    const signer = new HmacCursorSigner([key()]);
    const last = { nodeId: 'imp-a' };
    const cursor = (await sealCursor(signer, NODES, last))!;
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(await openCursor(signer, NODES, cursor)).toEqual(last);
    expect(await openCursor(signer, NODES, undefined)).toBeNull();
    expect(await sealCursor(signer, NODES, null)).toBeNull();
    const groups: CursorScope = { list: 'groups', filters: { name: 'prg' } };
    await refusal(openCursor(signer, groups, cursor));
    const other = (await sealCursor(signer, groups, { name: 'prg-1' }))!;
    await refusal(openCursor(signer, { list: 'groups', filters: { name: 'prg-' } }, other));
  });

  it('refuse a MAC whose last character differs only in bits base64 drops, not just different bytes', async () => {
    const signer = new HmacCursorSigner([key()]);
    const cursor = (await sealCursor(signer, NODES, { nodeId: 'imp-a' }))!;
    // A 32-byte MAC is 43 base64url characters; the last carries 4 bits and 2 unused ones.
    const last = cursor.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const index = alphabet.indexOf(last);
    const twin = alphabet[index ^ 1]!; // same upper 4 bits, another unused bit
    const mac = cursor.slice(cursor.indexOf('.') + 1);
    expect(Buffer.from(mac.slice(0, -1) + twin, 'base64url')).toEqual(Buffer.from(mac, 'base64url'));
    await refusal(openCursor(signer, NODES, cursor.slice(0, -1) + twin));
  });

  it('a replaced key keeps the cursors of walks under way good while it is listed second', async () => {
    const [oldKey, newKey] = [key(), key()];
    const before = (await sealCursor(new HmacCursorSigner([oldKey]), NODES, { nodeId: 'imp-a' }))!;
    expect(await openCursor(new HmacCursorSigner([newKey, oldKey]), NODES, before)).toEqual({
      nodeId: 'imp-a',
    });
    await refusal(openCursor(new HmacCursorSigner([newKey]), NODES, before));
  });

  it('refuse content that is not a storage key even under a good MAC', async () => {
    const signer = new HmacCursorSigner([key()]);
    const forge = async (content: unknown) => {
      const payload = Buffer.from(JSON.stringify(content)).toString('base64url');
      return `${payload}.${await signer.sign(payload)}`;
    };
    for (const content of [
      { v: 1, s: 'nodes', k: { nodeId: { S: 'x' } } },
      { v: 1, s: 'nodes', k: {} },
      { v: 1, s: 'nodes', k: ['imp-a'] },
      { v: 1, s: 'nodes', k: { a: '1', b: '2', c: '3', d: '4', e: '5' } },
      { v: 2, s: 'nodes', k: { nodeId: 'imp-a' } },
      'nodes',
      null,
    ]) {
      await refusal(openCursor(signer, NODES, await forge(content)));
    }
  });

  it('refuse a key shorter than 16 bytes', () => {
    expect(() => new HmacCursorSigner([randomBytes(8)])).toThrow(/16 bytes/);
    expect(() => new HmacCursorSigner([])).toThrow(/16 bytes/);
  });
});
