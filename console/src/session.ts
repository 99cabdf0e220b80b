/**
 * Who is signed in and how the console reaches the API: the typed client of the route
 * table, bound to this origin and to the session's bearer token.
 */
import { apiClient, ApiProblemError, ApiUnreachableError } from '../../lambdas/contract/client';
import type { RouteKey } from '../../lambdas/contract/routes';

/** How this deployment signs in and follows changes; served as /config.json next to the console. */
export interface ConsoleConfig {
  /** `token`: the embedded default's admin or read token. `cognito`: the hosted UI with PKCE. */
  auth: 'token' | 'cognito';
  /** `sse`: the embedded default's event stream. `poll`: reread every few seconds (AWS). */
  live: 'sse' | 'poll';
  cognito?: { domain: string; clientId: string; redirectUri: string };
}

const TOKEN_KEY = 'prg.token';

/** The token lives in sessionStorage: it goes when the tab closes, and is never in a URL after sign-in. */
export const session = {
  get token(): string | null {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  set(token: string): void {
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  clear(): void {
    sessionStorage.removeItem(TOKEN_KEY);
  },
};

export const api = apiClient({ baseUrl: location.origin, token: () => session.token ?? undefined });

/** Whether the token may act (admin) or only read: asked of the API, never guessed from the token. */
export async function probeRole(): Promise<'admin' | 'read'> {
  // An admin-only route answering 400 (the body is refused) rather than 403 says the token may act;
  // nothing is written, since the body is empty.
  const res = await api.raw('PUT /v1/enterprise-parameters', { body: {} as never });
  if (res.status === 401) throw new ApiProblemError(401, await res.json());
  return res.status === 403 ? 'read' : 'admin';
}

/** The words to show for a failed call. */
export function describeError(e: unknown): string {
  if (e instanceof ApiProblemError) {
    const details = (e.problem.errors ?? []).map((x) => `${x.path}: ${x.message}`).join('; ');
    return [e.problem.title, e.problem.detail, details].filter(Boolean).join(' — ');
  }
  if (e instanceof ApiUnreachableError) return `The API did not answer (${e.why}). Check that it is running.`;
  return e instanceof Error ? e.message : String(e);
}

/** Field errors of a problem+json answer, by field path (`keepAliveTimeout`). */
export function fieldErrors(e: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (e instanceof ApiProblemError)
    for (const x of e.problem.errors ?? []) out.set(x.path.replace(/^body\./, ''), x.message);
  return out;
}

export type { RouteKey };
export { ApiProblemError };

/** At most this many pages of a list are read for one screen: enough for any deployment of presence pairs. */
const MAX_PAGES = 20;

/**
 * Every item of a paged list: `fetchPage(cursor)` reads one page; pages are read until
 * `next` is null, `enough(items)` says so, or MAX_PAGES were read.
 */
export async function readPages<T>(
  fetchPage: (cursor: string | undefined) => Promise<{ items: T[]; next: string | null }>,
  enough: (items: T[]) => boolean = () => false,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < MAX_PAGES; i++) {
    const page = await fetchPage(cursor);
    items.push(...page.items);
    if (!page.next || enough(items)) break;
    cursor = page.next;
  }
  return items;
}

/** Every node, across pages. */
export const allNodes = () =>
  readPages(async (cursor) => {
    const r = await api.call('GET /v1/nodes', { query: { limit: 100, cursor } });
    return { items: r.nodes, next: r.next };
  });

/** Every group, across pages. */
export const allGroups = () =>
  readPages(async (cursor) => {
    const r = await api.call('GET /v1/groups', { query: { limit: 100, cursor } });
    return { items: r.groups, next: r.next };
  });
