import type { AuthContext } from './auth';

/** What an admin action is recorded as done by when the token names nobody: the embedded default's admin token. */
export const ADMIN_TOKEN_CALLER = 'admin token';

const text = (value: unknown): string | null =>
  typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, 128) : null;

/**
 * Who made a request, for the record (maintenance windows, history): a Cognito user's
 * name, else the app client of a client-credentials token, else the token's subject.
 * The embedded default's tokens carry no identity, so they are "admin token".
 */
export function callerOf(event: AuthContext): string {
  const claims = event.requestContext?.authorizer?.jwt?.claims ?? {};
  const user = text(claims['cognito:username']) ?? text(claims.username);
  if (user) return `user ${user}`;
  const client = text(claims.client_id);
  if (client) return `client ${client}`;
  const subject = text(claims.sub);
  return subject ? `subject ${subject}` : ADMIN_TOKEN_CALLER;
}
