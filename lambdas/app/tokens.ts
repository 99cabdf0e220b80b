import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const PREFIX = 'prgn';

/**
 * A new token for `nodeId`: 256 random bits, prefixed with the node it belongs to so a
 * token used for the wrong node can be told apart from a bad one (403, not 401), and a
 * leaked token is recognisable in logs and secret scanners.
 */
export function newNodeToken(nodeId: string): string {
  return `${PREFIX}.${Buffer.from(nodeId, 'utf8').toString('base64url')}.${randomBytes(32).toString('base64url')}`;
}

/** The node a token says it belongs to, or null when it is not one of ours. */
export function tokenOwner(token: string): string | null {
  const [prefix, owner, secret] = token.split('.');
  if (prefix !== PREFIX || !owner || !secret) return null;
  return Buffer.from(owner, 'base64url').toString('utf8');
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
