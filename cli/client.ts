import type { Problem } from '../lambdas/handlers/http/problem';
import { describeSource, type Connection } from './config';
import { CliError, ExitCode } from './errors';

/** How long one API call may take: API Gateway gives up after 30 s anyway. */
const REQUEST_TIMEOUT_MS = 30_000;

/** The API answered with an error status; `problem` is its problem+json body when it sent one. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly problem: Problem | null,
    readonly method: string,
    readonly path: string,
    readonly connection: Connection,
  ) {
    super(problem?.detail || problem?.title || `HTTP ${status} from ${method} ${path}`);
  }
}

/** Path segments are ids typed by operators; encode them so that a stray `/` or `?` cannot change the route. */
export function seg(value: string): string {
  return encodeURIComponent(value);
}

/**
 * A small client of the presence-ha HTTP API (SPEC §4): JSON in and out, the bearer
 * token on every call, and failures turned into errors an operator can act on.
 */
export class ApiClient {
  readonly connection: Connection;
  private readonly token: string;

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
    this.token = connection.token;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }
  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }
  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, body);
  }
  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }
  async delete(path: string): Promise<void> {
    await this.request<unknown>('DELETE', path);
  }

  /** Sends one request to `/v1${path}` and returns the parsed JSON body (undefined for 204). */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.send(method, path, {
      body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    if (!res.ok) throw this.apiError(res, method, path, text);
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new CliError(
        `the control plane answered ${method} ${path} with something that is not JSON`,
        ExitCode.FAILED,
        [
          `Is ${this.connection.url} (from ${describeSource(this.connection.urlSource, this.connection.configPath)}) the presence-ha API?`,
        ],
      );
    }
  }

  /**
   * Opens a long-lived response (server-sent events) and returns it once the status is
   * good; `signal` ends it.
   */
  async stream(path: string, signal: AbortSignal): Promise<Response> {
    const res = await this.send('GET', path, { signal, accept: 'text/event-stream' });
    if (!res.ok) throw this.apiError(res, 'GET', path, await res.text());
    return res;
  }

  private async send(
    method: string,
    path: string,
    o: { body?: unknown; signal: AbortSignal; accept?: string },
  ): Promise<Response> {
    const url = `${this.connection.url}/v1${path}`;
    try {
      return await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: o.accept ?? 'application/json',
          ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
        signal: o.signal,
      });
    } catch (e) {
      if (o.signal.aborted && (o.signal.reason as Error | undefined)?.name !== 'TimeoutError') throw e;
      throw this.networkError(e, method, path);
    }
  }

  private apiError(res: Response, method: string, path: string, text: string): ApiError {
    let problem: Problem | null = null;
    try {
      const parsed = JSON.parse(text) as Partial<Problem>;
      if (parsed && typeof parsed === 'object' && (parsed.detail || parsed.title))
        problem = parsed as Problem;
    } catch {
      // Not problem+json (a proxy's HTML page, say): the status alone has to do.
    }
    return new ApiError(res.status, problem, method, path, this.connection);
  }

  private networkError(e: unknown, method: string, path: string): CliError {
    const source = describeSource(this.connection.urlSource, this.connection.configPath);
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const why =
      err.name === 'TimeoutError'
        ? `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`
        : (err.cause?.code ?? err.cause?.message ?? err.message);
    return new CliError(
      `cannot reach the control plane at ${this.connection.url} (${why})`,
      ExitCode.FAILED,
      [
        `${method} /v1${path} was not answered. Check the URL (from ${source}) and that the`,
        'control plane is running: `npm start` runs it on this machine.',
      ],
    );
  }
}
