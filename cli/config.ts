import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { usageError } from './errors';
import { readSession, sessionPath } from './login/session';

/** The embedded default's address (`npm start`), used when nothing else names one. */
export const DEFAULT_URL = 'http://127.0.0.1:3000';

/** What the config file may hold. */
export interface ConfigFile {
  url?: string;
  token?: string;
}

/** Where a setting came from, so that errors can say which one to fix. */
export type Source =
  | '--url'
  | '--token'
  | 'PRG_URL'
  | 'PRG_TOKEN'
  | 'config file'
  | 'default'
  /** The cache `prg login` keeps (renewed when it expires or is refused). */
  | 'login';

/** The control plane to talk to, and with which token. */
export interface Connection {
  /** Server root without a trailing slash; the client adds `/v1/...`. */
  url: string;
  urlSource: Source;
  token: string | null;
  tokenSource: Source | null;
  /** The config file consulted (it may not exist). */
  configPath: string;
}

/**
 * The config file's path: `PRG_CONFIG` when set (tests point it at a temp file), else
 * `$XDG_CONFIG_HOME/presence-ha/config.json`, else `~/.config/presence-ha/config.json`.
 */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PRG_CONFIG) return env.PRG_CONFIG;
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'presence-ha', 'config.json');
}

/** Reads the config file; a missing file is an empty config, a broken one an error that names it. */
export function readConfigFile(path: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw usageError(`cannot read the config file ${path}: ${(e as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw usageError(`the config file ${path} is not valid JSON: ${(e as Error).message}`, [
      'It should look like {"url": "http://127.0.0.1:3000", "token": "prg_admin_..."}.',
    ]);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw usageError(`the config file ${path} must hold a JSON object with "url" and "token"`);
  }
  const { url, token } = parsed as Record<string, unknown>;
  for (const [key, value] of [
    ['url', url],
    ['token', token],
  ] as const) {
    if (value !== undefined && typeof value !== 'string')
      throw usageError(`"${key}" in the config file ${path} must be a string`);
  }
  return {
    ...(typeof url === 'string' ? { url } : {}),
    ...(typeof token === 'string' ? { token } : {}),
  };
}

/**
 * Writes the config file with owner-only permissions, since it holds a token; keeps the
 * settings not given.
 */
export function writeConfigFile(path: string, changes: ConfigFile): ConfigFile {
  const merged = { ...readConfigFile(path), ...changes };
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify(merged, null, 2)}\n`, { mode: 0o600 });
  // writeFileSync's mode applies only when it creates the file.
  chmodSync(path, 0o600);
  return merged;
}

/** Checks that a URL is an http(s) server root, and drops a trailing slash. */
export function normaliseUrl(url: string, source: Source): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw usageError(`the URL from ${source} is not a URL: "${url}"`, [
      'Give the server root, e.g. http://127.0.0.1:3000 (prg adds /v1/...).',
    ]);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw usageError(`the URL from ${source} must start with http:// or https://: "${url}"`);
  return url.replace(/\/+$/, '');
}

/**
 * Resolves the connection, each setting on its own: the flag, else the environment
 * (`PRG_URL`, `PRG_TOKEN`), else the config file, else (URL only) the embedded default.
 * The file is read only when a setting is still missing, so a broken file does not stop
 * someone who passes both flags.
 */
export function resolveConnection(
  flags: { url?: string | undefined; token?: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
): Connection {
  const path = configPath(env);
  let file: ConfigFile | null = null;
  const fromFile = () => (file ??= readConfigFile(path));

  const url = pick(flags.url, '--url') ?? pick(env.PRG_URL, 'PRG_URL') ?? pick(fromFile().url, 'config file');
  const token =
    pick(flags.token, '--token') ?? pick(env.PRG_TOKEN, 'PRG_TOKEN') ?? pick(fromFile().token, 'config file');
  // Last: what prg login cached, for the API it logged in to (or any, when none is named).
  const session = token ? null : readSession(sessionPath(path));
  const fromLogin = session && (!url || normaliseUrl(url[0], url[1]) === session.url) ? session : null;
  const [urlValue, urlSource]: [string, Source] =
    url ?? (fromLogin ? [fromLogin.url, 'login'] : [DEFAULT_URL, 'default']);
  const loginToken: [string, Source] | null = fromLogin ? [fromLogin.token.accessToken, 'login'] : null;
  return {
    url: normaliseUrl(urlValue, urlSource),
    urlSource,
    token: (token ?? loginToken)?.[0] ?? null,
    tokenSource: (token ?? loginToken)?.[1] ?? null,
    configPath: path,
  };
}

/** A setting and where it came from, when it is set (an empty string counts as not set). */
function pick(value: string | undefined, source: Source): [string, Source] | null {
  return value ? [value, source] : null;
}

/** Names a source for an operator, e.g. `the config file /home/x/.config/presence-ha/config.json`. */
export function describeSource(source: Source, path: string): string {
  if (source === 'config file') return `the config file ${path}`;
  if (source === 'login') return `prg login (${sessionPath(path)})`;
  if (source === 'default') return 'the default';
  return source;
}
