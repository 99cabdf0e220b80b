/**
 * The login cache of `prg login`: where the stack is, how to get a new token, and the
 * token itself, in one owner-only file beside the config file. `prg` uses it when no
 * token is given otherwise, and renews the token when it expires or is refused.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { usageError } from '../errors';
import { clientCredentials, EXPIRY_MARGIN_MS, refresh, type TokenSet } from './oauth';
import { fetchClientSecret } from './secret';

export interface Session {
  /** The API root the token is for. */
  url: string;
  tokenUrl: string;
  clientId: string;
  scope: string;
  grant: 'client_credentials' | 'authorization_code';
  /**
   * Client credentials only, when it came from --client-secret: kept (mode 0600) to get
   * the next token. From PRG_CLIENT_SECRET it is not stored and read again at renewal.
   */
  clientSecret?: string;
  /**
   * Client credentials whose secret `prg login --fetch-secret` read from Cognito: the pool
   * to read it from again at renewal, with the operator's AWS credentials of that moment.
   */
  userPoolId?: string;
  token: TokenSet;
}

/** The cache file: beside the config file (`PRG_CONFIG`'s directory, else ~/.config/presence-ha). */
export function sessionPath(configPath: string): string {
  return join(dirname(configPath), 'session.json');
}

export function readSession(path: string): Session | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw usageError(`cannot read the login cache ${path}: ${(e as Error).message}`);
  }
  try {
    const s = JSON.parse(text) as Session;
    if (typeof s.url !== 'string' || typeof s.token?.accessToken !== 'string') throw new Error('incomplete');
    return s;
  } catch {
    throw usageError(`the login cache ${path} is damaged`, ['Delete it and run prg login again.']);
  }
}

/** Writes the cache readable by its owner only: it holds a bearer token. */
export function writeSession(path: string, session: Session): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify(session, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}

export function expired(session: Session, now: number): boolean {
  return session.token.expiresAt - EXPIRY_MARGIN_MS <= now;
}

/**
 * A new token for the session, by the way it was first obtained: a refresh token for a
 * browser sign-in, the client secret again for client credentials. Saves it.
 */
export async function renew(
  path: string,
  session: Session,
  env: NodeJS.ProcessEnv = process.env,
  now: () => number = Date.now,
): Promise<Session> {
  let token: TokenSet;
  if (session.grant === 'authorization_code') {
    if (!session.token.refreshToken) {
      throw usageError('the sign-in has expired and there is no refresh token', [
        'Run prg login --browser again.',
      ]);
    }
    token = await refresh(session.tokenUrl, session.clientId, session.token.refreshToken, now);
    // Cognito does not hand out a new refresh token on refresh: keep the one we have.
    token = { ...token, refreshToken: token.refreshToken ?? session.token.refreshToken };
  } else {
    const secret =
      session.clientSecret ??
      env.PRG_CLIENT_SECRET ??
      (session.userPoolId ? await fetchClientSecret(session.userPoolId, session.clientId) : undefined);
    if (!secret) {
      throw usageError('the token has expired and no client secret is at hand to get another', [
        'Set PRG_CLIENT_SECRET (as for prg login) or run prg login --fetch-secret again.',
      ]);
    }
    token = await clientCredentials(session.tokenUrl, { id: session.clientId, secret }, session.scope, now);
  }
  const next = { ...session, token };
  writeSession(path, next);
  return next;
}

/** The outputs `cdk deploy --outputs-file <file>` wrote for one stack. */
export interface StackOutputs {
  ApiUrl: string;
  TokenUrl: string;
  UserPoolId?: string;
  AppClientId?: string;
  ReadOnlyAppClientId?: string;
  CliClientId?: string;
  CliRedirectPort?: string;
}

/** Reads the outputs file; `stack` picks one when the file holds several. */
export function readStackOutputs(file: string, stack?: string): StackOutputs {
  let all: Record<string, Record<string, string>>;
  try {
    all = JSON.parse(readFileSync(file, 'utf8')) as typeof all;
  } catch (e) {
    throw usageError(`cannot read the outputs file ${file}: ${(e as Error).message}`, [
      'Write it with: npx cdk deploy --outputs-file cdk-outputs.json',
    ]);
  }
  const names = Object.keys(all).filter((k) => all[k] && typeof all[k].ApiUrl === 'string');
  const name = stack ?? (names.length === 1 ? names[0] : undefined);
  if (!name || !Object.hasOwn(all, name) || typeof all[name]?.ApiUrl !== 'string') {
    throw usageError(
      stack
        ? `the outputs file ${file} has no presence-ha stack named ${stack}`
        : `the outputs file ${file} holds ${names.length} presence-ha stacks`,
      [names.length > 0 ? `Pick one with --stack: ${names.join(', ')}.` : 'Is it the file cdk deploy wrote?'],
    );
  }
  const outputs = all[name] as unknown as StackOutputs;
  if (typeof outputs.TokenUrl !== 'string')
    throw usageError(`the outputs of ${name} in ${file} have no TokenUrl`);
  return outputs;
}
