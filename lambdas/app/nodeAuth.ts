import { ForbiddenError, UnauthorizedError } from './errors';
import type { NodeRepository, Ports } from './ports';
import {
  hashToken,
  legacyTokenOwner,
  sameHash,
  verifyNodeToken,
  type NodeTokenKeyRing,
  type VerifiedNodeToken,
} from './tokens';

/**
 * How long a legacy token checked against its node's stored hash is trusted without a
 * new read. Both checks of one heartbeat (before the body, then in the use case) cost one
 * read; trusting it a little longer is safe because the heartbeat's own write compares
 * the stored hash again.
 */
const LEGACY_TRUST_MS = 1_000;
/** One warning per node on a legacy token per warm function and hour: enough to find whom to rotate. */
const LEGACY_WARN_EVERY_MS = 60 * 60_000;

interface LegacySeen {
  tokenHash: string;
  trustedUntil: number;
  warnedAt: number;
}

/**
 * Legacy tokens this function has verified, per node repository (one per set of ports),
 * so that separate sets of ports in one process share nothing. Only a token that matched
 * a stored hash gets an entry: a forger cannot grow it, nor change a real node's entry.
 */
const legacySeen = new WeakMap<NodeRepository, Map<string, LegacySeen>>();

/**
 * Checks a node's bearer token before anything else is judged. A MAC token (`prgn2.`) is
 * checked by arithmetic alone: a forged, altered or malformed one is a 401 that costs no
 * storage call and touches nothing another request relies on. A good MAC for another node
 * is a 403. What this cannot tell — whether the token is the node's current one — the
 * heartbeat's own conditional write tells (the stored hash).
 *
 * A token of the previous release (`prgn.`, no MAC) is checked against the node's stored
 * hash, at the price of one read, and only while the legacy window of the key ring is
 * open (docs/threat-model.md); after it, or for a node that has been issued a MAC token
 * since, it is refused like a forged one.
 */
export async function authenticateNode(
  ports: Pick<Ports, 'nodeTokens' | 'clock' | 'nodes' | 'log'>,
  nodeId: string,
  token: string,
): Promise<VerifiedNodeToken> {
  const ring = await ports.nodeTokens.keyRing();
  const now = ports.clock.now();
  const check = verifyNodeToken(ring, token, now);
  if (!check.ok) {
    const legacyOwner = legacyTokenOwner(token);
    if (legacyOwner === null) throw notValidFor(nodeId);
    return authenticateLegacy(ports, ring, now, nodeId, legacyOwner, token);
  }
  if (check.token.nodeId !== nodeId) throw ownedBy(check.token.nodeId, nodeId);
  return check.token;
}

async function authenticateLegacy(
  ports: Pick<Ports, 'nodes' | 'log'>,
  ring: NodeTokenKeyRing,
  now: number,
  nodeId: string,
  owner: string,
  token: string,
): Promise<VerifiedNodeToken> {
  const until = ring.legacyUntil ?? null;
  // After the window a legacy token costs nothing, like any other refused token.
  if (until === null || now >= until) throw notValidFor(nodeId);
  if (owner !== nodeId) throw ownedBy(owner, nodeId);
  const tokenHash = hashToken(token);
  let seenByNode = legacySeen.get(ports.nodes);
  if (!seenByNode) {
    seenByNode = new Map();
    legacySeen.set(ports.nodes, seenByNode);
  }
  const seen = seenByNode.get(nodeId);
  const verified: VerifiedNodeToken = { nodeId, generation: 0, key: 'legacy' };
  if (seen && seen.trustedUntil > now && sameHash(seen.tokenHash, tokenHash)) return verified;
  // The one read a legacy token costs. A node issued a MAC token since (it has a
  // generation) has rotated: its legacy token is gone even if a hash were left over.
  const node = await ports.nodes.get(nodeId);
  if (!node || node.tokenGeneration !== undefined || !sameHash(node.tokenHash, tokenHash)) {
    throw notValidFor(nodeId);
  }
  const warnedAt = seen && sameHash(seen.tokenHash, tokenHash) ? seen.warnedAt : Number.NEGATIVE_INFINITY;
  const warn = now - warnedAt >= LEGACY_WARN_EVERY_MS;
  seenByNode.set(nodeId, { tokenHash, trustedUntil: now + LEGACY_TRUST_MS, warnedAt: warn ? now : warnedAt });
  if (warn) {
    ports.log.warn(
      'A node heartbeats with a legacy (prgn.) token; it will be refused when the legacy window closes',
      {
        nodeId,
        legacyTokensUntil: new Date(until).toISOString(),
        action: `Rotate its token (POST /v1/nodes/${nodeId}/token or prg node rotate-token) and give the new one to its agent before the window closes, or the node will be refused and fence.`,
      },
    );
  }
  return verified;
}

function ownedBy(owner: string, nodeId: string): ForbiddenError {
  return new ForbiddenError(`This token belongs to node ${owner}; node ${nodeId} must use its own token.`);
}

/** The one refusal for a token that does not open this node, whether or not the node exists. */
export function notValidFor(nodeId: string): UnauthorizedError {
  return new UnauthorizedError(
    `The token is not valid for node ${nodeId}. If the node is registered, its token was rotated or mistyped: rotate it with POST /v1/nodes/${nodeId}/token and give the new one to its agent; otherwise register the node with POST /v1/nodes.`,
  );
}
