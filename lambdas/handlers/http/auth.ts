import { ForbiddenError, UnauthorizedError } from '../../app/errors';
import type { RouteAuth } from '../../contract';

/** The part of an API Gateway HTTP API (v2) event that auth reads. */
export interface AuthContext {
  headers?: Record<string, string | undefined>;
  requestContext?: {
    authorizer?: { jwt?: { scopes?: string[] | null; claims?: Record<string, unknown> } };
  };
}

export const ADMIN_SCOPE = 'prg/admin';
export const READ_SCOPE = 'prg/read';

/** The scopes API Gateway's JWT authorizer (or the embedded default) vouched for. */
function scopesOf(event: AuthContext): string[] | null {
  const jwt = event.requestContext?.authorizer?.jwt;
  if (!jwt) return null;
  if (jwt.scopes && jwt.scopes.length > 0) return jwt.scopes;
  const claim = jwt.claims?.scope;
  return typeof claim === 'string' ? claim.split(' ').filter(Boolean) : [];
}

/**
 * Checks a route's auth: admin routes need `prg/admin`, read routes `prg/read` or
 * `prg/admin`. On AWS the authorizer already checked the token and scopes; checking
 * again here keeps a misconfigured route from being open, and is what answers 403.
 */
export function authorize(auth: RouteAuth, event: AuthContext): void {
  if (auth === 'none' || auth === 'node') return;
  const scopes = scopesOf(event);
  if (scopes === null) {
    throw new UnauthorizedError(
      `This route needs a bearer token with scope ${auth === 'admin' ? ADMIN_SCOPE : `${READ_SCOPE} or ${ADMIN_SCOPE}`}.`,
    );
  }
  const allowed = auth === 'admin' ? [ADMIN_SCOPE] : [READ_SCOPE, ADMIN_SCOPE];
  if (!scopes.some((s) => allowed.includes(s))) {
    throw new ForbiddenError(
      `This route needs scope ${allowed.join(' or ')}; the token has ${scopes.join(', ') || 'none'}.`,
    );
  }
}

/** The bearer token of the request, or a 401 saying how to send one. */
export function bearerToken(event: AuthContext): string {
  const header = event.headers?.authorization ?? event.headers?.Authorization;
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  if (!match?.[1]) throw new UnauthorizedError('Send the node token as "Authorization: Bearer <token>".');
  return match[1];
}
