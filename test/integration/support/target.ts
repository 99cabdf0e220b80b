import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import { startEmbedded, type Embedded } from '../../../local/embedded';

/**
 * Scenarios that need what only the embedded default has (its test switches, the
 * server-sent event stream, its data directory) run only there; on a deployed stack the
 * events are on the EventBridge bus instead.
 */
export const EMBEDDED = !process.env.PRG_TARGET_URL;

/** Where the suite runs: a fresh embedded default, or a deployed stack named by the environment. */
export interface Target {
  url: string;
  adminToken: string;
  readToken: string;
  /** The embedded default, when the suite started one (test switches need it). */
  embedded: Embedded | null;
  events: string[];
  stop(): Promise<void>;
}

/**
 * A fresh embedded default on a free port, sharing the run's DynamoDB Local with its own
 * tables; or, with `PRG_TARGET_URL` (`npm run test:localstack`), the stack deployed there,
 * authenticated with `PRG_ADMIN_TOKEN` / `PRG_READ_TOKEN`.
 */
export async function startTarget(): Promise<Target> {
  const env = process.env;
  if (env.PRG_TARGET_URL) {
    return {
      url: env.PRG_TARGET_URL.replace(/\/$/, ''),
      adminToken: env.PRG_ADMIN_TOKEN ?? '',
      readToken: env.PRG_READ_TOKEN ?? '',
      embedded: null,
      events: [],
      stop: async () => undefined,
    };
  }
  const events: string[] = [];
  const embedded = await startEmbedded({
    port: 0,
    dynamoEndpoint: inject('dynamoEndpoint'),
    tablePrefix: `it-${randomUUID().slice(0, 8)}`,
    testSwitches: true,
    sweepSeconds: 1,
    writeLine: (line) => events.push(line),
  });
  return {
    url: embedded.url,
    adminToken: embedded.adminToken,
    readToken: embedded.readToken,
    embedded,
    events,
    stop: () => embedded.stop(),
  };
}

export interface Reply {
  status: number;
  contentType: string | null;
  body: any;
}

/** An HTTP client of the API, as the CLI or a script would be. */
export class Api {
  constructor(private readonly t: Pick<Target, 'url' | 'adminToken' | 'readToken'>) {}

  async request(
    method: string,
    path: string,
    o: { body?: unknown; raw?: string; token?: string | null; as?: 'admin' | 'read' } = {},
  ): Promise<Reply> {
    const token = o.token !== undefined ? o.token : o.as === 'read' ? this.t.readToken : this.t.adminToken;
    const res = await fetch(`${this.t.url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(o.body !== undefined || o.raw !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(o.raw !== undefined
        ? { body: o.raw }
        : o.body !== undefined
          ? { body: JSON.stringify(o.body) }
          : {}),
    });
    const text = await res.text();
    return {
      status: res.status,
      contentType: res.headers.get('content-type'),
      body: text ? JSON.parse(text) : undefined,
    };
  }

  get = (path: string, as: 'admin' | 'read' = 'read') => this.request('GET', path, { as });
  post = (path: string, body?: unknown) => this.request('POST', path, { body });
  patch = (path: string, body: unknown) => this.request('PATCH', path, { body });
  put = (path: string, body: unknown) => this.request('PUT', path, { body });
  delete = (path: string) => this.request('DELETE', path);
}

export { eventually } from '../../support/eventually';

/**
 * One target for a test file: started before its tests, stopped after them. The getters
 * read what `beforeAll` set up, so tests can use `env.api` and `env.t` directly.
 */
export function useTarget(): { readonly t: Target; readonly api: Api } {
  let t: Target | null = null;
  let api: Api | null = null;
  beforeAll(async () => {
    t = await startTarget();
    api = new Api(t);
  });
  afterAll(() => t?.stop());
  const ready = <T>(v: T | null): T => {
    if (v === null) throw new Error('the target is not started yet: use it inside a test');
    return v;
  };
  return {
    get t() {
      return ready(t);
    },
    get api() {
      return ready(api);
    },
  };
}
