import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ValidationError } from './errors';
import type { CursorSigner } from './ports';

/**
 * Where a page of a list ends, as storage knows it: for DynamoDB the `LastEvaluatedKey`
 * (the table's key, and the index's when a query runs on one). Clients never see it
 * bare: it travels inside a signed cursor.
 */
export type PageKey = Record<string, string | number>;

/** What a repository is asked for: at most `limit` items after `start` (null: from the beginning). */
export interface PageRequest {
  limit: number;
  start: PageKey | null;
}

/** One page: its items and where the next one starts (null: this was the last). */
export interface Page<T> {
  items: T[];
  last: PageKey | null;
}

/**
 * What a cursor is bound to: the list it came from and the filters it was asked with.
 * A cursor of `GET /v1/nodes` used on `GET /v1/groups`, or of one group's history on
 * another's, is refused rather than silently starting a different list in the middle.
 */
export interface CursorScope {
  list: 'nodes' | 'groups' | 'history' | 'users';
  filters: Readonly<Record<string, string>>;
}

const CURSOR_FORMAT = 1;
/** Key parts a stored key may have (table key + index key) and how long each may be. */
const MAX_KEY_PARTS = 4;
const MAX_KEY_PART_CHARS = 1024;

function scopeText(scope: CursorScope): string {
  const filters = Object.keys(scope.filters)
    .sort()
    .map((name) => `${name}=${scope.filters[name] ?? ''}`);
  return [scope.list, ...filters].join('&');
}

function refuse(why: string): ValidationError {
  return new ValidationError(
    `The cursor is not one this list handed out (${why}); nothing was read. ` +
      'Pass the "next" value of the previous page unchanged, with the same filters, or leave cursor out to start again.',
    [{ path: 'cursor', message: `must be the "next" of an earlier page of this list, unchanged (${why})` }],
  );
}

function isPageKey(value: unknown): value is PageKey {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entries = Object.entries(value);
  return (
    entries.length > 0 &&
    entries.length <= MAX_KEY_PARTS &&
    entries.every(
      ([, v]) =>
        (typeof v === 'string' && v.length <= MAX_KEY_PART_CHARS) ||
        (typeof v === 'number' && Number.isFinite(v)),
    )
  );
}

/**
 * The cursor a client gets for the next page: the storage key and the scope, as
 * base64url JSON, then a dot and the MAC of that text. Null when there is no next page.
 */
export async function sealCursor(
  signer: CursorSigner,
  scope: CursorScope,
  last: PageKey | null,
): Promise<string | null> {
  if (last === null) return null;
  const payload = Buffer.from(JSON.stringify({ v: CURSOR_FORMAT, s: scopeText(scope), k: last })).toString(
    'base64url',
  );
  return `${payload}.${await signer.sign(payload)}`;
}

/**
 * The storage key a cursor stands for; null when there is none (the first page). A
 * cursor that was not signed here, was altered, or belongs to another list or other
 * filters is a 400 naming `cursor`, before anything is read.
 */
export async function openCursor(
  signer: CursorSigner,
  scope: CursorScope,
  cursor: string | undefined,
): Promise<PageKey | null> {
  if (cursor === undefined) return null;
  const dot = cursor.indexOf('.');
  if (dot <= 0 || dot !== cursor.lastIndexOf('.')) throw refuse('not in the form of a cursor');
  const payload = cursor.slice(0, dot);
  if (!(await signer.verify(payload, cursor.slice(dot + 1)))) throw refuse('its signature does not match');
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw refuse('its content is unreadable');
  }
  const { v, s, k } = (decoded ?? {}) as { v?: unknown; s?: unknown; k?: unknown };
  if (v !== CURSOR_FORMAT || typeof s !== 'string' || !isPageKey(k))
    throw refuse('its content is unreadable');
  if (s !== scopeText(scope)) throw refuse('it belongs to another list or to other filters');
  return k;
}

/**
 * Signs cursors with HMAC-SHA256. The first key signs; every key verifies, so a key can be
 * replaced without refusing the cursors of lists being read at that moment (put the new
 * key first and keep the old one second for a while).
 */
export class HmacCursorSigner implements CursorSigner {
  private readonly keys: readonly Buffer[];

  constructor(keys: readonly Buffer[]) {
    if (keys.length === 0 || keys.some((k) => k.length < 16)) {
      throw new Error(
        'A cursor signing key must be at least 16 bytes long; none was given or one is shorter.',
      );
    }
    this.keys = keys;
  }

  /** A signer with a fresh random key: cursors it signs are good only in this process. */
  static random(): HmacCursorSigner {
    return new HmacCursorSigner([randomBytes(32)]);
  }

  private mac(key: Buffer, payload: string): Buffer {
    return createHmac('sha256', key).update(payload).digest();
  }

  sign(payload: string): Promise<string> {
    return Promise.resolve(this.signNow(payload));
  }

  verify(payload: string, signature: string): Promise<boolean> {
    return Promise.resolve(this.verifyNow(payload, signature));
  }

  /** `sign`, for callers that hold the keys already. */
  signNow(payload: string): string {
    return this.mac(this.keys[0] as Buffer, payload).toString('base64url');
  }

  /** `verify`, for callers that hold the keys already. */
  verifyNow(payload: string, signature: string): boolean {
    // Compared as text: two base64url texts can decode to the same bytes, and a cursor
    // with any character changed must be refused.
    const given = Buffer.from(signature);
    return this.keys.some((key) => {
      const expected = Buffer.from(this.mac(key, payload).toString('base64url'));
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
  }
}
