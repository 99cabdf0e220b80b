import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LogLine } from '../../../agent/log';
import { controlRequest, type FakeState } from '../../../agent/simulate';
import { eventually, type Api } from '../../integration/support/target';
import { registerPair } from '../../integration/support/agent';

/** The repository root: where `bin/prg-agent.mjs` and `demo/demo.ts` are. */
export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

const running = new Set<ChildProcess>();

/** Kills every process these helpers started and that is still alive (afterAll). */
export function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * The Node.js that runs the agent: this one, or `PRG_E2E_AGENT_NODE` (the agent must run
 * on Node 20 too, while the embedded default needs 22: `PRG_E2E_AGENT_NODE=/usr/bin/node`).
 */
const AGENT_NODE = process.env.PRG_E2E_AGENT_NODE || process.execPath;

/** A child process whose output is collected, with its exit as a promise. */
export class Proc {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<Exit>;

  constructor(args: string[], env: Record<string, string> = {}, node = process.execPath) {
    this.child = spawn(node, args, {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(this.child);
    this.child.stdout?.on('data', (d: Buffer) => (this.stdout += d.toString()));
    this.child.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        running.delete(this.child);
        resolve({ code, signal });
      }),
    );
  }

  /** The exit, or a timeout error that shows what the process printed. */
  async exit(ms: number): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no exit within ${ms} ms\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`)),
        ms,
      );
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Runs `prg-agent <args>` to completion (a CLI command, not the agent itself). */
export async function prgAgent(
  args: string[],
  ms = 15_000,
): Promise<Exit & { stdout: string; stderr: string }> {
  const p = new Proc(['bin/prg-agent.mjs', ...args], {}, AGENT_NODE);
  const exit = await p.exit(ms);
  return { ...exit, stdout: p.stdout, stderr: p.stderr };
}

/** Writes an agent config file in a fresh temporary directory; returns its path. */
export function writeConfig(config: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'prg-agent-')), 'agent.json');
  writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  return file;
}

/**
 * The real agent, `node bin/prg-agent.mjs --config <file> --simulate`, as a child
 * process; its log lines parsed as they come.
 */
export class AgentProcess extends Proc {
  constructor(
    readonly nodeId: string,
    config: Record<string, unknown>,
    simulate = true,
  ) {
    super(
      ['bin/prg-agent.mjs', '--config', writeConfig(config), ...(simulate ? ['--simulate'] : [])],
      {},
      AGENT_NODE,
    );
  }

  /** Every JSON log line so far (a line that is not JSON fails the parse: the log is JSON only). */
  get lines(): LogLine[] {
    return this.stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as LogLine);
  }

  count(event: string, match: (l: LogLine) => boolean = () => true): number {
    return this.lines.filter((l) => l.event === event && match(l)).length;
  }

  /** Waits for a log line of `event` (matching `match`) and returns it. */
  line(event: string, match: (l: LogLine) => boolean = () => true, ms = 20_000): Promise<LogLine> {
    return eventually(
      `${this.nodeId}'s agent to log ${event}\n${this.stdout}${this.stderr}`,
      async () => this.lines.find((l) => l.event === event && match(l)),
      ms,
    );
  }

  /** The simulate control port it listens on (from its agent-started line). */
  async controlPort(): Promise<number> {
    return (await this.line('agent-started')).controlPort as number;
  }

  async fake(): Promise<FakeState> {
    return controlRequest<FakeState>(await this.controlPort(), 'GET', '/state');
  }

  /** Waits until every fake critical service is `status`. */
  async servicesAll(status: 'running' | 'stopped', ms = 20_000): Promise<FakeState> {
    return eventually(
      `${this.nodeId}'s simulated services to be all ${status}`,
      async () => {
        const s = await this.fake();
        return Object.values(s.services).every((x) => x === status) ? s : undefined;
      },
      ms,
    );
  }
}

/** Small timers: a scenario takes seconds (the brief's e2e values). */
export const E2E_TIMERS = {
  keepAliveInterval: 1,
  keepAliveTimeout: 3,
  initializationKeepAliveTimeout: 6,
  criticalServiceDelay: 2,
};

/**
 * The same, with a timeout long enough that a heartbeat slowed by a loaded machine does
 * not make the agent fence: for scenarios about orders and logs, not about silence.
 */
export const CALM_TIMERS: typeof E2E_TIMERS = {
  ...E2E_TIMERS,
  keepAliveTimeout: 8,
  initializationKeepAliveTimeout: 16,
};

let counter = 0;

export interface Pair {
  cluster: string;
  group: string;
  a: AgentProcess;
  b: AgentProcess;
}

/**
 * A cluster of its own with the small timers, two registered nodes with a real agent
 * each (simulated services unless `real` gives each node's checks and commands), and an
 * HA group of them. `url` is what the agents talk to.
 */
export async function startPair(
  api: Api,
  url: string,
  name: string,
  real?: (nodeId: string) => Record<string, unknown>,
  timers: typeof E2E_TIMERS = E2E_TIMERS,
): Promise<Pair> {
  const { cluster, group, nodes } = await registerPair(api, `${name}-${process.pid}-${++counter}`, timers);
  const agents: AgentProcess[] = [];
  for (const { nodeId, token } of nodes) {
    agents.push(
      new AgentProcess(
        nodeId,
        {
          apiUrl: url,
          nodeId,
          token,
          keepAliveTimeoutSeconds: timers.keepAliveTimeout,
          ...real?.(nodeId),
        },
        real === undefined,
      ),
    );
  }
  const [a, b] = agents as [AgentProcess, AgentProcess];
  // Both heard from before HA is on: the group starts Normal rather than waiting for them.
  await Promise.all([a.line('connection-established'), b.line('connection-established')]);
  const created = await api.post('/v1/groups', {
    name: group,
    nodes: [a.nodeId, b.nodeId],
    highAvailability: true,
  });
  if (created.status !== 201) throw new Error(JSON.stringify(created.body));
  // The group starts Normal before either agent has heard of it. Until an agent has
  // acknowledged an answer of the group it does not fence, so the control plane will not
  // move its users on its silence alone (docs/safety.md): wait, as a node in service
  // would have long since, until each has heard the group and sent its acknowledgement
  // with the heartbeat after (two intervals).
  await Promise.all([a, b].map((agent) => agent.line('state-changed', (l) => l.group === group)));
  await new Promise((r) => setTimeout(r, 2 * timers.keepAliveInterval * 1000));
  return { cluster, group, a, b };
}
