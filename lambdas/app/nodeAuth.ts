import { ForbiddenError, UnauthorizedError } from './errors';
import type { Ports } from './ports';
import { verifyNodeToken, type VerifiedNodeToken } from './tokens';

/**
 * Checks a node's bearer token by its MAC alone, before anything is read or the body is
 * judged: a forged, altered or malformed token is a 401 that costs no storage call, and
 * touches nothing another request relies on. A good MAC for another node is a 403. What
 * this cannot tell — whether the token is the node's current one — the heartbeat's own
 * conditional write tells (the stored hash).
 */
export async function authenticateNode(
  ports: Pick<Ports, 'nodeTokens' | 'clock'>,
  nodeId: string,
  token: string,
): Promise<VerifiedNodeToken> {
  const check = verifyNodeToken(await ports.nodeTokens.keyRing(), token, ports.clock.now());
  if (!check.ok) throw notValidFor(nodeId);
  if (check.token.nodeId !== nodeId) {
    throw new ForbiddenError(
      `This token belongs to node ${check.token.nodeId}; node ${nodeId} must use its own token.`,
    );
  }
  return check.token;
}

/** The one refusal for a token that does not open this node, whether or not the node exists. */
export function notValidFor(nodeId: string): UnauthorizedError {
  return new UnauthorizedError(
    `The token is not valid for node ${nodeId}. If the node is registered, its token was rotated or mistyped: rotate it with POST /v1/nodes/${nodeId}/token and give the new one to its agent; otherwise register the node with POST /v1/nodes.`,
  );
}
