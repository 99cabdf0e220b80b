/**
 * Sign-in through Cognito's hosted UI on AWS: the authorization code flow with PKCE, so
 * the console holds no secret. The access token carries prg/admin only for members of
 * the admins group (docs/console.md).
 */
import type { ConsoleConfig } from './session';

type CognitoConfig = NonNullable<ConsoleConfig['cognito']>;
const VERIFIER_KEY = 'prg.pkce';

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

/** Sends the browser to the hosted UI with a fresh code verifier kept for the way back. */
export async function redirectToHostedUi(c: CognitoConfig): Promise<void> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  sessionStorage.setItem(VERIFIER_KEY, verifier);
  const challenge = base64url(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  );
  const url = new URL(`${c.domain}/oauth2/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: c.clientId,
    redirect_uri: c.redirectUri,
    scope: 'openid prg/read prg/admin',
    code_challenge_method: 'S256',
    code_challenge: challenge,
  }).toString();
  location.assign(url.toString());
}

/** On the way back from the hosted UI: trades the code for an access token (Cognito's endpoint, not the API's). */
export async function finishHostedUi(c: CognitoConfig, code: string): Promise<string> {
  const verifier = sessionStorage.getItem(VERIFIER_KEY);
  sessionStorage.removeItem(VERIFIER_KEY);
  if (!verifier) throw new Error('The sign-in started in another tab or expired: sign in again.');
  const res = await fetch(`${c.domain}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: c.clientId,
      redirect_uri: c.redirectUri,
      code,
      code_verifier: verifier,
    }),
  });
  if (!res.ok) throw new Error(`Cognito refused the sign-in (HTTP ${res.status}): sign in again.`);
  const body = (await res.json()) as { access_token?: string };
  if (!body.access_token) throw new Error('Cognito answered without an access token.');
  return body.access_token;
}

/**
 * Cognito's logout endpoint for this console: it ends the hosted UI's own session (a
 * cookie on the Cognito domain, which would otherwise sign the next "Sign in" straight
 * back in without a password) and sends the browser back to `logout_uri`, which must be
 * one of the client's registered sign-out URLs: the stack registers the console's URL,
 * the same value config.json gives as `redirectUri` (lib/constructs/console.ts).
 */
export function hostedUiLogoutUrl(c: CognitoConfig): string {
  const url = new URL(`${c.domain}/logout`);
  url.search = new URLSearchParams({ client_id: c.clientId, logout_uri: c.redirectUri }).toString();
  return url.toString();
}
