import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';

/**
 * Node tokens: `prgn2.<node id, base64url>.<generation>.<random>.<MAC>`.
 *
 * The MAC (HMAC-SHA256 under the deployment's node token key) covers the node id, the
 * generation and the random part, so a forged, altered or truncated token is refused by
 * arithmetic alone, before any storage is read: a flood of made-up tokens costs the
 * control plane no DynamoDB call. A token with a good MAC is still only as good as the
 * hash stored with its node (and the group's copy), which every heartbeat's conditional
 * write compares: rotating a node's token revokes the old one at once.
 */
const PREFIX = 'prgn2';
/** The environment variable naming the Secrets Manager secret of the node token keys (set by the stack). */
export const NODE_TOKEN_SECRET_ENV = 'PRG_NODE_TOKEN_SECRET_ID';
/** Longer than any token we issue (node ids are short): refused before any decoding. */
export const MAX_NODE_TOKEN_CHARS = 512;
const RANDOM_BYTES = 32;
const MIN_KEY_BYTES = 32;

/** The node token keys in force: the current one signs; the previous one verifies until `until`. */
export interface NodeTokenKeyRing {
  current: Buffer;
  previous: { key: Buffer; until: number } | null;
  /**
   * Until when (ms since the epoch) tokens of the previous release (`prgn.`, no MAC) are
   * still checked against the node's stored hash; null or absent: never.
   */
  legacyUntil?: number | null;
}

/** What a token with a good MAC says about itself. */
export interface VerifiedNodeToken {
  nodeId: string;
  generation: number;
  /**
   * Which key's MAC matched: `previous` means the token must be reissued before the grace
   * ends; `legacy` is a token of the previous release (no MAC, generation 0), accepted on
   * its stored hash while the legacy window is open.
   */
  key: 'current' | 'previous' | 'legacy';
}

export type NodeTokenCheck =
  | { ok: true; token: VerifiedNodeToken }
  | { ok: false; why: 'malformed' | 'bad-mac' | 'previous-key-expired' };

/** Refuses a key too short to be a MAC key, naming where it came from. */
export function checkKeyLength(key: Buffer, where: string): Buffer {
  if (key.length < MIN_KEY_BYTES) {
    throw new Error(
      `The node token key from ${where} is ${key.length} bytes; it must be at least ${MIN_KEY_BYTES}. Put a longer random value there (see docs/threat-model.md).`,
    );
  }
  return key;
}

function mac(key: Buffer, nodeId: string, generation: number, random: string): string {
  return createHmac('sha256', key)
    .update(`${PREFIX}|${nodeId}|${generation}|${random}`, 'utf8')
    .digest('base64url');
}

/** A new token for generation `generation` of `nodeId`'s tokens, signed with the current key. */
export function issueNodeToken(ring: NodeTokenKeyRing, nodeId: string, generation: number): string {
  if (!Number.isSafeInteger(generation) || generation < 1) {
    throw new Error(`A token generation must be a positive integer, got ${generation}.`);
  }
  const random = randomBytes(RANDOM_BYTES).toString('base64url');
  const owner = Buffer.from(nodeId, 'utf8').toString('base64url');
  return `${PREFIX}.${owner}.${generation}.${random}.${mac(ring.current, nodeId, generation, random)}`;
}

function sameText(left: string, right: string): boolean {
  const a = Buffer.from(left);
  const b = Buffer.from(right);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Checks a token's form and MAC, and nothing else: no I/O. The previous key is accepted
 * until its grace ends (`ring.previous.until`), so that replacing the key does not
 * refuse the fleet's tokens while they are being reissued.
 */
export function verifyNodeToken(ring: NodeTokenKeyRing, token: string, now: number): NodeTokenCheck {
  if (token.length > MAX_NODE_TOKEN_CHARS) return { ok: false, why: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 5) return { ok: false, why: 'malformed' };
  const [prefix, owner, generationText, random, given] = parts as [string, string, string, string, string];
  if (prefix !== PREFIX || !owner || !random || !given || !/^[1-9][0-9]{0,14}$/.test(generationText)) {
    return { ok: false, why: 'malformed' };
  }
  const nodeId = Buffer.from(owner, 'base64url').toString('utf8');
  // One spelling per node id: a re-encoded owner that differs was not written by us.
  if (!nodeId || Buffer.from(nodeId, 'utf8').toString('base64url') !== owner) {
    return { ok: false, why: 'malformed' };
  }
  const generation = Number(generationText);
  if (sameText(given, mac(ring.current, nodeId, generation, random))) {
    return { ok: true, token: { nodeId, generation, key: 'current' } };
  }
  if (ring.previous && sameText(given, mac(ring.previous.key, nodeId, generation, random))) {
    return ring.previous.until > now
      ? { ok: true, token: { nodeId, generation, key: 'previous' } }
      : { ok: false, why: 'previous-key-expired' };
  }
  return { ok: false, why: 'bad-mac' };
}

/**
 * Tokens of the release before MACs: `prgn.<node id, base64url>.<256 random bits,
 * base64url>`, valid only as the SHA-256 stored with their node. Kept so that an upgrade
 * does not refuse (and so fence) a fleet whose tokens have not been rotated yet.
 */
const LEGACY_PREFIX = 'prgn';
/** The environment variable holding the end of the legacy window (ISO date-time, or `closed`). */
export const LEGACY_NODE_TOKENS_ENV = 'PRG_LEGACY_NODE_TOKENS_UNTIL';
/**
 * The legacy window's end when none is set: about 90 days after the release that brought
 * MAC tokens. A fixed date, not "N days after the deploy", so that a synth is the same
 * every time and the window closes by itself even for a deployment nobody revisits.
 */
export const DEFAULT_LEGACY_NODE_TOKENS_UNTIL = '2027-03-01T00:00:00Z';

/**
 * The node a legacy (`prgn.`) token names, or null when the text does not have exactly
 * the form that release issued (so a malformed one is refused without any read).
 */
export function legacyTokenOwner(token: string): string | null {
  if (token.length > MAX_NODE_TOKEN_CHARS) return null;
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [prefix, owner, random] = parts as [string, string, string];
  if (prefix !== LEGACY_PREFIX || !owner || !/^[A-Za-z0-9_-]{43}$/.test(random)) return null;
  const nodeId = Buffer.from(owner, 'base64url').toString('utf8');
  if (!nodeId || Buffer.from(nodeId, 'utf8').toString('base64url') !== owner) return null;
  return nodeId;
}

/**
 * The end of the legacy window from its setting: an ISO date-time with an offset, or
 * `closed`; unset means {@link DEFAULT_LEGACY_NODE_TOKENS_UNTIL}. `where` names the
 * setting in the error.
 */
export function legacyWindowEnd(value: string | undefined, where: string): number | null {
  const text = value === undefined || value.trim() === '' ? DEFAULT_LEGACY_NODE_TOKENS_UNTIL : value.trim();
  if (text === 'closed') return null;
  if (!z.iso.datetime({ offset: true }).safeParse(text).success) {
    throw new Error(
      `${where} must be an ISO date-time such as 2027-03-01T00:00:00Z, or "closed"; got ${JSON.stringify(value)}.`,
    );
  }
  return Date.parse(text);
}

/** Tokens are stored only as their SHA-256: a stolen table does not hand out node identities. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Compares two token hashes in constant time. */
export function sameHash(left: string, right: string): boolean {
  const leftBytes = Buffer.from(left, 'hex');
  const rightBytes = Buffer.from(right, 'hex');
  return (
    leftBytes.length === rightBytes.length && leftBytes.length > 0 && timingSafeEqual(leftBytes, rightBytes)
  );
}

/** A key ring that never changes: the embedded default and the tests. */
export class StaticNodeTokenKeys {
  constructor(private readonly ring: NodeTokenKeyRing) {
    checkKeyLength(ring.current, 'the key ring');
    if (ring.previous) checkKeyLength(ring.previous.key, 'the key ring (previous)');
  }

  /** A fresh random key: tokens it signs are good while this process holds it. */
  static random(): StaticNodeTokenKeys {
    return new StaticNodeTokenKeys({ current: randomBytes(32), previous: null });
  }

  keyRing(): Promise<NodeTokenKeyRing> {
    return Promise.resolve(this.ring);
  }
}

/**
 * The secret's JSON. `current` signs and verifies; `previous`, while `previousUntil` is
 * in the future, still verifies (the grace period of a key replacement).
 */
const SecretSchema = z.object({
  current: z.string().min(32),
  previous: z.string().min(32).optional(),
  previousUntil: z.iso.datetime({ offset: true }).optional(),
});

/**
 * Parses the key ring's JSON form — the AWS secret's value, or the embedded default's key
 * file — or says what is wrong with it.
 */
export function keyRingFromSecret(text: string): NodeTokenKeyRing {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(
      'The node token key secret is not JSON; it must be {"current": "<random text>"} (docs/threat-model.md).',
    );
  }
  const parsed = SecretSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(
      `The node token key secret is not valid (${parsed.error.issues.map((i) => i.path.join('.') || 'secret').join(', ')}); see docs/threat-model.md for its form.`,
    );
  }
  const { current, previous, previousUntil } = parsed.data;
  if (previous !== undefined && previousUntil === undefined) {
    throw new Error(
      'The node token key secret has "previous" without "previousUntil"; say when its grace ends.',
    );
  }
  return {
    current: checkKeyLength(Buffer.from(current, 'utf8'), 'the secret (current)'),
    previous:
      previous === undefined || previousUntil === undefined
        ? null
        : {
            key: checkKeyLength(Buffer.from(previous, 'utf8'), 'the secret (previous)'),
            until: Date.parse(previousUntil),
          },
  };
}
