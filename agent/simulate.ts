import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ActionResult, NodeServices, Observation } from './services';

/** A fake service's state: `broken` reports stopped and refuses to start. */
export type FakeServiceState = 'running' | 'stopped' | 'broken';

export interface FakeState {
  nodeId: string;
  services: Record<string, FakeServiceState>;
  database: 'up' | 'down';
}

/**
 * `--simulate`: critical services that exist only in memory. An operator flips them
 * (`prg-agent simulate set …`); the control plane's orders flip them too: stop stops them
 * all, start starts every one that is not broken — a broken one makes the start fail, as
 * a real service that will not come up does (Start of Critical Services Failed).
 */
export class FakeServices implements NodeServices {
  readonly names: readonly string[];
  private readonly state = new Map<string, FakeServiceState>();
  private database: 'up' | 'down' = 'up';

  constructor(
    readonly nodeId: string,
    names: readonly string[],
  ) {
    this.names = [...names];
    for (const name of names) this.state.set(name, 'running');
  }

  async observe(): Promise<Observation> {
    return {
      services: Object.fromEntries(
        this.names.map((n) => [n, this.state.get(n) === 'running' ? 'running' : 'stopped']),
      ),
      database: this.database,
    };
  }

  async stop(): Promise<ActionResult> {
    for (const name of this.names) if (this.state.get(name) === 'running') this.state.set(name, 'stopped');
    return {
      ok: true,
      command: '(simulated) stop every critical service',
      exitCode: 0,
      durationMs: 0,
      detail: '',
    };
  }

  async start(): Promise<ActionResult> {
    const broken = this.names.filter((n) => this.state.get(n) === 'broken');
    for (const name of this.names) if (this.state.get(name) === 'stopped') this.state.set(name, 'running');
    return {
      ok: broken.length === 0,
      command: '(simulated) start every critical service',
      exitCode: broken.length === 0 ? 0 : 1,
      durationMs: 0,
      detail:
        broken.length === 0
          ? ''
          : `${broken.join(', ')} did not start: marked broken (prg-agent simulate set <service> running repairs it)`,
    };
  }

  /** A power cycle: everything stops, then comes back as a boot would start it. */
  powerOff(): void {
    for (const name of this.names) if (this.state.get(name) === 'running') this.state.set(name, 'stopped');
  }

  powerOn(): void {
    void this.start();
  }

  snapshot(): FakeState {
    return { nodeId: this.nodeId, services: Object.fromEntries(this.state), database: this.database };
  }

  /**
   * Applies an operator's `simulate set <target> <status>`; returns what changed, or throws
   * a {@link SimulateError} that says what would have been accepted.
   */
  set(target: string, status: string): { target: string; from: string; to: string } {
    const resolved = resolveTarget(this.names, target);
    if (resolved === 'database') {
      if (status !== 'up' && status !== 'down')
        throw new SimulateError(`The database is "up" or "down", not "${status}".`);
      const from = this.database;
      this.database = status;
      return { target: 'database', from, to: status };
    }
    if (status !== 'running' && status !== 'stopped' && status !== 'broken')
      throw new SimulateError(`A service is "running", "stopped" or "broken", not "${status}".`);
    const from = this.state.get(resolved) ?? 'running';
    this.state.set(resolved, status);
    return { target: resolved, from, to: status };
  }
}

/** A request the fake node cannot carry out; its message is for the operator. */
export class SimulateError extends Error {}

const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * Which service (or the database) an operator means: the exact name, any spelling that
 * differs only in case and punctuation ("sip-proxy", "SIP Proxy"), or a unique part of
 * it ("presence" for Cisco Presence Engine) — service names have spaces, and a demo
 * should not need quoting right.
 */
export function resolveTarget(names: readonly string[], input: string): string | 'database' {
  const wanted = squash(input);
  if (wanted === 'database' || wanted === 'db') return 'database';
  const exact = names.find((n) => squash(n) === wanted);
  if (exact) return exact;
  const matches = wanted ? names.filter((n) => squash(n).includes(wanted)) : [];
  const [only] = matches;
  if (only !== undefined && matches.length === 1) return only;
  const list = names.map((n) => `"${n}"`).join(', ');
  throw new SimulateError(
    matches.length === 0
      ? `No critical service "${input}" on this node; it has ${list} and the database.`
      : `"${input}" could be ${matches.map((n) => `"${n}"`).join(' or ')}; say which.`,
  );
}

export interface ControlHandlers {
  fake: FakeServices;
  /** Announces a reboot, then keeps the node silent for `seconds`. */
  reboot(seconds: number): void;
  /** Called after every change an operator makes, for the agent's log. */
  changed(change: { target: string; from: string; to: string }): void;
}

/**
 * The simulate control port: a tiny HTTP server on 127.0.0.1 only (anyone who can reach
 * it can fail the node over). `GET /state`, `POST /set {target,status}`,
 * `POST /reboot {seconds}`.
 */
export function startControlServer(port: number, h: ControlHandlers): Promise<Server> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8');
      if (body.length > 10_000) req.destroy();
    });
    req.on('end', () => {
      const reply = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      };
      try {
        const input = body ? (JSON.parse(body) as Record<string, unknown>) : {};
        if (req.method === 'GET' && req.url === '/state') return reply(200, h.fake.snapshot());
        if (req.method === 'POST' && req.url === '/set') {
          const change = h.fake.set(String(input.target ?? ''), String(input.status ?? ''));
          h.changed(change);
          return reply(200, { change, state: h.fake.snapshot() });
        }
        if (req.method === 'POST' && req.url === '/reboot') {
          const seconds = Number(input.seconds ?? 20);
          if (!Number.isFinite(seconds) || seconds < 0 || seconds > 3600)
            throw new SimulateError('The reboot lasts 0–3600 seconds.');
          h.reboot(seconds);
          return reply(202, { rebooting: true, seconds });
        }
        return reply(404, {
          error: `No ${req.method} ${req.url}: use GET /state, POST /set or POST /reboot.`,
        });
      } catch (e) {
        if (e instanceof SimulateError || e instanceof SyntaxError) return reply(400, { error: e.message });
        return reply(500, { error: String(e) });
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'EADDRINUSE'
          ? new Error(
              `The simulate control port ${port} is in use: pick another with --control-port or simulate.controlPort.`,
            )
          : e,
      ),
    );
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** The port a server actually listens on (after asking for port 0). */
export function listeningPort(server: Server): number {
  return (server.address() as AddressInfo).port;
}

/** A failed request to an agent's control port, with a message for the operator. */
export class ControlError extends Error {
  constructor(
    message: string,
    /** 2 when the request itself was wrong (usage), 1 when the agent could not be reached. */
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

/** Talks to a simulated agent's control port (the `prg-agent simulate …` commands, the demo). */
export async function controlRequest<T>(
  port: number,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(5_000),
    });
  } catch (e) {
    throw new ControlError(
      `No simulated agent answers on 127.0.0.1:${port} (${(e as Error).cause ? String((e as Error).cause) : String(e)}). Is it running with --simulate, and is this its control port?`,
      1,
    );
  }
  const answer = (await res.json().catch(() => ({}))) as { error?: string };
  if (!res.ok)
    throw new ControlError(answer.error ?? `The agent answered ${res.status}.`, res.status === 400 ? 2 : 1);
  return answer as T;
}
