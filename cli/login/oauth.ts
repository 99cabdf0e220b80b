/**
 * OAuth 2.0 against the stack's Cognito user pool, as `prg login` needs it: client
 * credentials for automation, authorization code with PKCE and a loopback redirect for
 * people (RFC 8252), and refresh. Only `fetch` and `node:http`: no SDK.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CliError, ExitCode } from '../errors';

/** What a token endpoint answers, reduced to what prg keeps. */
export interface TokenSet {
  accessToken: string;
  /** Epoch milliseconds after which the access token is no longer accepted. */
  expiresAt: number;
  refreshToken?: string;
}

/** Treat a token as expired this long before it is, so a command never starts with one about to lapse. */
export const EXPIRY_MARGIN_MS = 60_000;

async function tokenRequest(
  tokenUrl: string,
  form: Record<string, string>,
  basic: { id: string; secret: string } | null,
  now: () => number,
): Promise<TokenSet> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (basic) {
    headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(basic.id)}:${encodeURIComponent(basic.secret)}`).toString('base64')}`;
  }
  let res: Response;
  try {
    res = await fetch(tokenUrl, {
      method: 'POST',
      headers,
      body: new URLSearchParams(form).toString(),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (e) {
    throw new CliError(
      `cannot reach the token endpoint ${tokenUrl} (${(e as Error).message})`,
      ExitCode.FAILED,
      ['Check TokenUrl in the outputs file and your network.'],
    );
  }
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok || typeof body.access_token !== 'string') {
    const why = typeof body.error === 'string' ? body.error : `HTTP ${res.status}`;
    throw new CliError(`the token endpoint refused: ${why}`, ExitCode.AUTH, [
      why === 'invalid_client'
        ? 'Check the client id and secret (AppClientId in the outputs; the secret is in the Cognito console).'
        : why === 'invalid_grant'
          ? 'The sign-in or refresh token is no longer valid: run prg login again.'
          : `The token endpoint is ${tokenUrl}.`,
    ]);
  }
  const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : 3600;
  return {
    accessToken: body.access_token,
    expiresAt: now() + expiresIn * 1000,
    ...(typeof body.refresh_token === 'string' ? { refreshToken: body.refresh_token } : {}),
  };
}

/** Client credentials (machine to machine): the scope is `prg/admin` or `prg/read`. */
export function clientCredentials(
  tokenUrl: string,
  client: { id: string; secret: string },
  scope: string,
  now: () => number = Date.now,
): Promise<TokenSet> {
  return tokenRequest(tokenUrl, { grant_type: 'client_credentials', scope }, client, now);
}

/** A new access token from a refresh token (browser sign-in only: client credentials have none). */
export function refresh(
  tokenUrl: string,
  clientId: string,
  refreshToken: string,
  now: () => number = Date.now,
): Promise<TokenSet> {
  return tokenRequest(
    tokenUrl,
    { grant_type: 'refresh_token', client_id: clientId, refresh_token: refreshToken },
    null,
    now,
  );
}

/** A PKCE verifier and its S256 challenge (RFC 7636). */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface BrowserLogin {
  authorizeUrl: string;
  tokenUrl: string;
  clientId: string;
  scope: string;
  /** Port of the loopback listener; it must match the client's registered callback URL. */
  port: number;
  /** Shows the sign-in URL to the person (prints it, opens a browser). */
  open: (url: string) => void;
  /** How long to wait for the person to sign in. */
  timeoutMs?: number;
  now?: () => number;
}

/**
 * Sign-in in a browser: listens on 127.0.0.1 for Cognito's redirect, sends the person to
 * the authorize URL with a PKCE challenge and a random state, and trades the code it gets
 * back for tokens. The listener answers one request and closes.
 */
export async function browserLogin(o: BrowserLogin): Promise<TokenSet> {
  const { verifier, challenge } = pkcePair();
  const state = randomBytes(16).toString('base64url');
  const redirectUri = `http://localhost:${o.port}/callback`;
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  const redirect = redirectUri.replace(`:${o.port}/`, `:${port}/`);
  try {
    const code = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new CliError('nobody signed in within the time allowed', ExitCode.AUTH, [
              'Run prg login --browser again and finish the sign-in in the browser.',
            ]),
          ),
        o.timeoutMs ?? 300_000,
      );
      server.on('request', (req, res) => {
        const url = new URL(req.url ?? '/', redirect);
        if (url.pathname !== '/callback') {
          res.writeHead(404).end();
          return;
        }
        const got = url.searchParams.get('code');
        const ok = url.searchParams.get('state') === state && got !== null && got !== '';
        res
          .writeHead(ok ? 200 : 400, { 'content-type': 'text/plain; charset=utf-8' })
          .end(
            ok ? 'Signed in to presence-ha: you can close this tab.' : 'Sign-in failed: see the terminal.',
          );
        clearTimeout(timer);
        if (ok) resolve(got);
        else
          reject(
            new CliError(
              `the sign-in came back without a valid code (${url.searchParams.get('error') ?? 'state mismatch'})`,
              ExitCode.AUTH,
            ),
          );
      });
      const authorize = new URL(o.authorizeUrl);
      authorize.search = new URLSearchParams({
        response_type: 'code',
        client_id: o.clientId,
        redirect_uri: redirect,
        scope: o.scope,
        state,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }).toString();
      o.open(authorize.toString());
    });
    return await tokenRequest(
      o.tokenUrl,
      {
        grant_type: 'authorization_code',
        client_id: o.clientId,
        code,
        redirect_uri: redirect,
        code_verifier: verifier,
      },
      null,
      o.now ?? Date.now,
    );
  } finally {
    server.close();
  }
}
