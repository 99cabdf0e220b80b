/**
 * The typed HTTP client of the API, derived from the route table: the CLI, the agent, the
 * demo and the tests call routes by key, with path, query and body typed by the route's
 * schemas and the answer typed by its response schema. A wrong route key does not compile.
 */
import { fillPath } from './paths';

export { fillPath };
import type { BodyInputOf, PathOf, QueryInputOf, ResponseOf, RouteKey } from './routes';
import type { Problem } from './responses';

/** The API answered with a problem (4xx/5xx): its status and body, as sent. */
export class ApiProblemError extends Error {
  override readonly name = 'ApiProblemError';
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail || problem.title || `HTTP ${status}`);
  }
}

/** The server could not be reached or did not answer in time. */
export class ApiUnreachableError extends Error {
  override readonly name = 'ApiUnreachableError';
  constructor(
    /** `METHOD /path` of the call. */
    readonly request: string,
    readonly baseUrl: string,
    /** Why, in a few words: `ECONNREFUSED`, `no answer within 10 s`, … */
    readonly why: string,
  ) {
    super(`Could not reach ${baseUrl} (${request}): ${why}`);
  }
}

/** The network's reason in a few words: the system error code when there is one. */
function whyUnreachable(error: unknown, timeoutMs: number): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`;
  const cause = error.cause as { code?: string; message?: string } | undefined;
  return cause?.code ?? cause?.message ?? error.message;
}

/** A body the route may go without (none at all, or an optional one) is optional in the call. */
type Optional<T, Name extends string> = undefined extends T ? { [N in Name]?: T } : { [N in Name]: T };
type NoParams<T> = keyof T extends never ? { path?: undefined } : { path: T };

/** What a call takes: path parameters, query and body, each required exactly when the route has them. */
export type CallInput<K extends RouteKey> = NoParams<PathOf<K>> &
  Optional<BodyInputOf<K>, 'body'> & {
    query?: QueryInputOf<K> extends undefined ? undefined : QueryInputOf<K>;
  };

export interface ClientOptions {
  /** Base URL, e.g. `http://127.0.0.1:3000` (no `/v1`). */
  baseUrl: string;
  /** The bearer token sent with every call: admin/read token or JWT, or a node's token. */
  token?: string | (() => string | undefined);
  /** Per-call deadline; the default is 10 s. */
  timeoutMs?: number;
  /** The fetch to use (tests inject their own transport). */
  fetch?: typeof globalThis.fetch;
}

export interface RawAnswer {
  status: number;
  contentType: string | null;
  text: string;
}

/** A client bound to one server. */
export interface ApiClient {
  /** Calls a route; resolves with its answer, rejects with ApiProblemError or ApiUnreachableError. */
  call<K extends RouteKey>(key: K, input?: CallInput<K>): Promise<ResponseOf<K>>;
  /** Calls a route and hands back whatever came, for callers that judge statuses themselves. */
  raw<K extends RouteKey>(key: K, input?: CallInput<K>, init?: { signal?: AbortSignal }): Promise<Response>;
  readonly baseUrl: string;
}

const toProblem = (status: number, text: string): Problem => {
  try {
    const parsed = JSON.parse(text) as Partial<Problem>;
    if (parsed && typeof parsed === 'object' && typeof parsed.title === 'string') {
      return { type: 'about:blank', detail: '', status, ...parsed } as Problem;
    }
  } catch {
    // Not JSON: a proxy's or the gateway's own page.
  }
  return { type: 'about:blank', title: `HTTP ${status}`, status, detail: text.slice(0, 200) };
};

/** Builds a client for the server at `baseUrl`. */
export function apiClient(options: ClientOptions): ApiClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;

  async function raw<K extends RouteKey>(
    key: K,
    input?: CallInput<K>,
    init: { signal?: AbortSignal } = {},
  ): Promise<Response> {
    const [method] = key.split(' ') as [string];
    const args = (input ?? {}) as { path?: Record<string, string>; query?: object; body?: unknown };
    let url = `${baseUrl}${fillPath(key, args.path ?? {})}`;
    const query = Object.entries(args.query ?? {}).filter(([, v]) => v !== undefined);
    if (query.length > 0)
      url += `?${new URLSearchParams(query.map(([k, v]): [string, string] => [k, String(v)])).toString()}`;
    const token = typeof options.token === 'function' ? options.token() : options.token;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (args.body !== undefined) headers['content-type'] = 'application/json';
    const signal = init.signal ?? AbortSignal.timeout(timeoutMs);
    try {
      return await doFetch(url, {
        method,
        headers,
        signal,
        ...(args.body !== undefined ? { body: JSON.stringify(args.body) } : {}),
      });
    } catch (error) {
      // A caller's own signal ending the call is not an unreachable server.
      if (init.signal?.aborted) throw error;
      throw new ApiUnreachableError(
        `${method} ${url.slice(baseUrl.length)}`,
        baseUrl,
        whyUnreachable(error, timeoutMs),
      );
    }
  }

  async function call<K extends RouteKey>(key: K, input?: CallInput<K>): Promise<ResponseOf<K>> {
    const response = await raw(key, input);
    const text = await response.text();
    if (!response.ok) throw new ApiProblemError(response.status, toProblem(response.status, text));
    return (text ? JSON.parse(text) : undefined) as ResponseOf<K>;
  }

  return { call, raw, baseUrl };
}

/**
 * Where a node view's `legacyTokenAcceptedUntil` stands at `now`, for the CLI and the
 * console to put in their own words: not told (an older control plane), no window at
 * all, a window already closed, or one still open with the time left in days (hours on
 * the last day).
 */
export type LegacyWindow =
  | { kind: 'untold' }
  | { kind: 'none' }
  | { kind: 'closed'; at: string }
  | { kind: 'open'; at: string; left: string };

/** The legacy window as seen at `now` (ms since the epoch). */
export function legacyWindow(until: string | null | undefined, now: number): LegacyWindow {
  if (until === undefined) return { kind: 'untold' };
  if (until === null) return { kind: 'none' };
  const ms = Date.parse(until) - now;
  if (ms <= 0) return { kind: 'closed', at: until };
  const days = Math.floor(ms / 86_400_000);
  const left = days >= 1 ? `${days} day${days === 1 ? '' : 's'}` : `${Math.ceil(ms / 3_600_000)} h`;
  return { kind: 'open', at: until, left };
}
