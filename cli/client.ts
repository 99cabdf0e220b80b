import { apiClient, ApiProblemError, ApiUnreachableError, fillPath } from '../lambdas/contract/client';
import type {
  ApiClient as ContractClient,
  CallInput,
  Problem,
  ResponseOf,
  RouteKey,
} from '../lambdas/contract';
import { describeSource, type Connection } from './config';
import { CliError, ExitCode } from './errors';
import { expired, readSession, renew, sessionPath } from './login/session';

/** How long one API call may take: API Gateway gives up after 30 s anyway. */
const REQUEST_TIMEOUT_MS = 30_000;

/** The API answered with an error status; `problem` is its problem+json body when it sent one. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly problem: Problem | null,
    readonly method: string,
    /** The path as sent, `/v1/...`. */
    readonly path: string,
    readonly connection: Connection,
  ) {
    super(problem?.detail || problem?.title || `HTTP ${status} from ${method} ${path}`);
  }
}

/**
 * The CLI's view of the API: the typed client of the route table, the bearer token on
 * every call, and failures turned into errors an operator can act on.
 */
export class ApiClient {
  readonly connection: Connection;
  private client: ContractClient;

  /** Refuses to start without a token, and says how to configure one. */
  constructor(connection: Connection) {
    if (!connection.token) {
      throw new CliError('no API token configured', ExitCode.AUTH, [
        'Pass --token <token>, set PRG_TOKEN, or save it in the config file with:',
        `  prg config set --url ${connection.url} --token <token>   (writes ${connection.configPath})`,
        '`npm start` prints an admin token and a read token; on AWS use a Cognito access token',
        'with scope prg/admin (every command) or prg/read (status, list, show, history, events).',
      ]);
    }
    this.connection = connection;
    this.client = apiClient({
      baseUrl: connection.url,
      token: connection.token,
      timeoutMs: REQUEST_TIMEOUT_MS,
    });
  }

  /** Calls a route of the API by its key; the answer is typed by the route's response schema. */
  async call<K extends RouteKey>(key: K, input?: CallInput<K>): Promise<ResponseOf<K>> {
    try {
      await this.renewLogin(false);
      return await this.client.call(key, input);
    } catch (e) {
      // A token from prg login that the API refuses (revoked, rotated key) is renewed once.
      if (e instanceof ApiProblemError && e.status === 401 && (await this.renewLogin(true))) {
        try {
          return await this.client.call(key, input);
        } catch (again) {
          throw this.translate(again, key, input?.path ?? {});
        }
      }
      throw this.translate(e, key, input?.path ?? {});
    }
  }

  /**
   * With a token from `prg login`: a new one when it has expired (or always, with
   * `force`). Returns whether it renewed.
   */
  private async renewLogin(force: boolean): Promise<boolean> {
    if (this.connection.tokenSource !== 'login') return false;
    const path = sessionPath(this.connection.configPath);
    const session = readSession(path);
    if (!session || (!force && !expired(session, Date.now()))) return false;
    const next = await renew(path, session);
    this.connection.token = next.token.accessToken;
    this.client = apiClient({
      baseUrl: this.connection.url,
      token: next.token.accessToken,
      timeoutMs: REQUEST_TIMEOUT_MS,
    });
    return true;
  }

  /**
   * Opens the server-sent event stream and returns it once the status is good; `signal`
   * ends it.
   */
  async stream(signal: AbortSignal): Promise<Response> {
    const key = 'GET /v1/events';
    let res: Response;
    await this.renewLogin(false);
    try {
      res = await this.client.raw(key, undefined, { signal });
    } catch (e) {
      if (signal.aborted) throw e;
      throw this.translate(e, key, {});
    }
    if (!res.ok) {
      const text = await res.text();
      let problem: Problem | null = null;
      try {
        problem = JSON.parse(text) as Problem;
      } catch {
        // Not problem+json: the status alone has to do.
      }
      throw new ApiError(res.status, problem, 'GET', '/v1/events', this.connection);
    }
    return res;
  }

  private translate(e: unknown, key: RouteKey, pathParameters: Record<string, string>): unknown {
    const [method] = key.split(' ') as [string];
    const path = fillPath(key, pathParameters);
    if (e instanceof ApiProblemError) {
      const problem = e.problem.title.startsWith('HTTP ') ? null : e.problem;
      return new ApiError(e.status, problem, method, path, this.connection);
    }
    if (e instanceof ApiUnreachableError) {
      const source = describeSource(this.connection.urlSource, this.connection.configPath);
      return new CliError(
        `cannot reach the control plane at ${this.connection.url} (${e.why})`,
        ExitCode.FAILED,
        [
          `${method} ${path} was not answered. Check the URL (from ${source}) and that the`,
          'control plane is running: `npm start` runs it on this machine.',
        ],
      );
    }
    if (e instanceof SyntaxError) {
      return new CliError(
        `the control plane answered ${method} ${path} with something that is not JSON`,
        ExitCode.FAILED,
        [
          `Is ${this.connection.url} (from ${describeSource(this.connection.urlSource, this.connection.configPath)}) the presence-ha API?`,
        ],
      );
    }
    return e;
  }
}

/** Items per request when the CLI follows a list's pages: the API's largest page. */
export const CLI_PAGE_LIMIT = 1000;

/**
 * Every item of a paged list, asking for page after page (passing each answer's `next`
 * back as the cursor) until the last one, or until `max` items are in hand.
 */
export async function allPages<T>(
  page: (cursor: string | undefined, limit: number) => Promise<{ items: T[]; next: string | null }>,
  max = Number.POSITIVE_INFINITY,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const res = await page(cursor, Math.min(CLI_PAGE_LIMIT, max - items.length));
    items.push(...res.items);
    if (res.next !== null && res.next === cursor) {
      throw new CliError('the control plane handed back the same page cursor twice', ExitCode.FAILED, [
        'The list would never end. Is the server a presence-ha API of this version?',
      ]);
    }
    cursor = res.next ?? undefined;
  } while (cursor !== undefined && items.length < max);
  return items.slice(0, max);
}
