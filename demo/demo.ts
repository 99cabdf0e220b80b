/**
 * `npm run demo`: the embedded default, two presence redundancy groups of simulated nodes
 * (four in-process agents, the same code as `prg-agent --simulate`), short timers, and
 * the commands to type in another terminal to break a service, watch the failover and
 * fall back. `npm run demo -- --scripted` plays that story by itself and exits 0 when
 * both groups have failed over and fallen back (the end-to-end test runs it).
 */
import pc from 'picocolors';
import type { BusEvent } from '../local/eventBus';
import { reasonLabel, stateLabel, type NodeStateCode, type ReasonCode } from '../lambdas/core';
import { apiClient, type ApiClient } from '../lambdas/contract';
import { Agent } from '../agent/agent';
import { parseConfig, type AgentConfig } from '../agent/config';
import type { LogEvent, LogLine } from '../agent/log';
import { controlRequest, type FakeState } from '../agent/simulate';

const scripted = process.argv.includes('--scripted');
const env = process.env;
// The handlers' own logs are for CloudWatch; in a demo terminal they would drown the story.
env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
env.POWERTOOLS_METRICS_DISABLED ??= 'true';

/** Short timers so that a failover takes seconds, not minutes (the manual's defaults are 15/60/90 s). */
const TIMERS = {
  keepAliveInterval: 2,
  keepAliveTimeout: 6,
  initializationKeepAliveTimeout: 12,
  criticalServiceDelay: 6,
};
const CLUSTER = 'demo';
const GROUPS = [
  { name: 'prg-1', nodes: ['imp-1a', 'imp-1b'] },
  { name: 'prg-2', nodes: ['imp-2a', 'imp-2b'] },
] as const;
const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'].map(
  (u) => `${u}@example.com`,
);
const FIRST_CONTROL_PORT = 7101;
/** The scripted story must end well within this, or something is broken. */
const SCRIPT_DEADLINE_MS = 150_000;

const started = Date.now();
const clock = () => pc.dim(new Date().toTimeString().slice(0, 8));
const say = (line = '') => process.stdout.write(`${line}\n`);
const state = (code: string | null) => (code === null ? '—' : stateLabel(code as NodeStateCode));
const reason = (code: string | null) => (code === null ? '' : ` (${reasonLabel(code as ReasonCode)})`);

/** One line per event of the bus: what `prg events` shows, condensed. */
function showEvent(event: BusEvent): void {
  const detail = event.detail as Record<string, unknown>;
  const group = pc.bold(String(detail.group));
  switch (event['detail-type']) {
    case 'NodeStateChanged': {
      const to = detail.to as string | null;
      const colour =
        to === 'NORMAL' ? pc.green : to === 'RUNNING_IN_BACKUP_MODE' || to === 'IDLE' ? pc.yellow : pc.red;
      say(
        `${clock()} ${group} ${String(detail.nodeId).padEnd(6)} ${state(detail.from as string | null)} → ${colour(state(to))}${reason(detail.reason as string | null)}`,
      );
      return;
    }
    case 'UsersMoved':
      say(
        `${clock()} ${group} users of ${String(detail.fromNode)} → now served by ${pc.bold(String(detail.toNode))}`,
      );
      return;
    default:
      say(
        `${clock()} ${group} ${pc.cyan(event['detail-type'])} ${String(detail.fromNode ?? '')} → ${String(detail.toNode ?? '')}${detail.outcome ? ` (${String(detail.outcome)})` : ''}`,
      );
  }
}

/** The agents' lines worth showing beside the events: what they did, not every state. */
const AGENT_EVENTS: ReadonlySet<LogEvent> = new Set<LogEvent>([
  'order-executed',
  'order-failed',
  'order-satisfied',
  'fencing-started',
  'fencing-ended',
  'simulate-changed',
  'reboot-simulated',
  'heartbeat-refused',
]);
function showAgentLine(line: LogLine): void {
  if (!AGENT_EVENTS.has(line.event)) return;
  const text = `${line.nodeId} agent: ${line.message}`;
  say(`${clock()} ${pc.dim('  ')}${line.level === 'info' ? pc.magenta(text) : pc.red(text)}`);
}

/** The demo's view of the API: the typed client of the route table, with the admin token. */
class DemoApi {
  readonly call: ApiClient['call'];

  constructor(url: string, token: string) {
    const client = apiClient({ baseUrl: url, token });
    this.call = (key, input) => client.call(key, input);
  }

  /** Both nodes' `STATE/REASON`, in the group's node order. */
  async states(group: string): Promise<string[]> {
    const view = await this.call('GET /v1/groups/{name}', { path: { name: group } });
    return view.nodes.map((n) => `${n.state}/${n.reason}`);
  }

  /** Waits until `group` shows `expected`; on timeout says what it showed instead. */
  async waitFor(group: string, expected: string[], ms = 60_000): Promise<number> {
    const t0 = Date.now();
    let seen: string[] = [];
    while (Date.now() - t0 < ms) {
      seen = await this.states(group);
      if (seen.join() === expected.join()) return Date.now() - t0;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(
      `${group} did not reach ${expected.join(' + ')} within ${ms / 1000} s; it shows ${seen.join(' + ')}`,
    );
  }
}

interface Running {
  url: string;
  adminToken: string;
  api: DemoApi;
  agents: Map<string, Agent>;
  /** A user whose home node is imp-1a: the one whose move the story shows. */
  userOf1a: string | null;
  stop(): Promise<void>;
}

async function setUp(): Promise<Running> {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a TCP port number, not "${env.PORT}".`);
  say(
    pc.bold('presence-ha demo') +
      pc.dim(' — starting the embedded default (DynamoDB Local takes a few seconds)…'),
  );
  const { startEmbedded } = await import('../local/embedded');
  const embedded = await startEmbedded({
    port,
    writeLine: (line) => {
      // Event lines are shown condensed from the bus; anything else (a failed sweep) as is.
      if (!line.includes('"detail-type"')) say(pc.red(line));
    },
  }).catch((e: unknown) => {
    const inUse = (e as NodeJS.ErrnoException).code === 'EADDRINUSE';
    throw new Error(
      inUse
        ? `port ${port} is in use (is \`npm start\` running?); try PORT=${port + 1} npm run demo`
        : String(e),
    );
  });
  const unsubscribe = embedded.bus.subscribe(showEvent);
  const api = new DemoApi(embedded.url, embedded.adminToken);
  const agents = new Map<string, Agent>();
  const stop = async () => {
    unsubscribe();
    await Promise.all([...agents.values()].map((a) => a.shutdown({ timeoutMs: 1_000 })));
    await embedded.stop();
  };
  try {
    await api.call('PATCH /v1/clusters/{clusterId}/parameters', {
      path: { clusterId: CLUSTER },
      body: TIMERS,
    });
    const nodes = GROUPS.flatMap((g) => g.nodes);
    for (const [i, nodeId] of nodes.entries()) {
      const { token } = await api.call('POST /v1/nodes', {
        body: {
          nodeId,
          hostname: `${nodeId}.demo.example.com`,
          clusterId: CLUSTER,
          softwareVersion: '15.0',
          publisherId: 'imp-pub',
        },
      });
      const parsed = parseConfig(
        { apiUrl: embedded.url, nodeId, token, keepAliveTimeoutSeconds: TIMERS.keepAliveTimeout },
        { simulate: true },
      );
      if (!parsed.ok) throw new Error(`demo agent config: ${parsed.errors.join('; ')}`);
      agents.set(nodeId, await startAgent(parsed.config, scripted ? 0 : FIRST_CONTROL_PORT + i));
    }
    for (const group of GROUPS)
      await api.call('POST /v1/groups', {
        body: { ...group, nodes: [...group.nodes], highAvailability: true },
      });
    for (const group of GROUPS) await api.waitFor(group.name, ['NORMAL/NORMAL', 'NORMAL/NORMAL'], 60_000);
    // Users go to the nodes now that they serve (Balanced mode: two per node).
    let userOf1a: string | null = null;
    for (const userId of USERS) {
      const user = await api.call('POST /v1/users', { body: { userId, clusterId: CLUSTER } });
      if (user.homeNode === 'imp-1a') userOf1a ??= userId;
    }
    return { url: embedded.url, adminToken: embedded.adminToken, api, agents, userOf1a, stop };
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
}

/** A simulated agent on `port`, or on any free port when that one is taken. */
async function startAgent(config: AgentConfig, port: number): Promise<Agent> {
  const make = (controlPort: number) =>
    new Agent({ config, simulate: true, controlPort, writeLog: showAgentLine });
  const agent = make(port);
  try {
    await agent.start();
    return agent;
  } catch {
    const fallback = make(0);
    await fallback.start();
    return fallback;
  }
}

function instructions(demo: Running): void {
  const port = (id: string) => demo.agents.get(id)?.controlPort ?? 0;
  const p1a = port('imp-1a');
  const cmd = (s: string, note = '') => `  ${pc.cyan(s)}${note ? pc.dim(`   # ${note}`) : ''}`;
  const lines = [
    '',
    pc.green(
      pc.bold(
        `Ready in ${Math.round((Date.now() - started) / 1000)} s: prg-1 (imp-1a, imp-1b) and prg-2 (imp-2a, imp-2b), all four nodes Normal.`,
      ),
    ),
    pc.dim(
      `Timers are short for the demo: a heartbeat every ${TIMERS.keepAliveInterval} s, a silent node is lost after ${TIMERS.keepAliveTimeout} s, a critical service down for ${TIMERS.criticalServiceDelay} s fails the node over.`,
    ),
    '',
    'In another terminal:',
    '',
    cmd(`export PRG_URL=${demo.url} PRG_TOKEN=${demo.adminToken}`),
    cmd('npm run prg -- status', 'both groups Normal'),
    cmd('npm run prg -- events', 'follow the state changes live (in a third terminal, or Ctrl-C to stop)'),
    '',
    pc.bold('1. Break a critical service on imp-1a: its users fail over to imp-1b within ~10 s'),
    cmd(`npm run agent -- simulate set sip-proxy stopped --control-port ${p1a}`),
    cmd(
      'npm run prg -- status prg-1',
      'imp-1a Failed Over with Critical Services not Running, imp-1b Running in Backup Mode',
    ),
    ...(demo.userOf1a
      ? [cmd(`npm run prg -- user show ${demo.userOf1a}`, 'a user of imp-1a: who serves them now')]
      : []),
    '',
    pc.bold('2. Repair it and fall back'),
    cmd(
      `npm run agent -- simulate set sip-proxy running --control-port ${p1a}`,
      'imp-1a Failed Over: ready for fallback',
    ),
    cmd(
      'npm run prg -- fallback imp-1a --wait',
      'imp-1a starts its services and takes its users back: both Normal',
    ),
    '',
    pc.bold('More to try'),
    cmd('npm run prg -- failover imp-2a --wait', "manual failover: imp-2a's agent stops its services (Idle)"),
    cmd('npm run prg -- fallback imp-2a --wait'),
    cmd(`npm run agent -- simulate set database down --control-port ${port('imp-2b')}`, 'Database Failure'),
    cmd(`npm run agent -- simulate reboot --seconds 20 --control-port ${port('imp-1b')}`, 'Peer Reboot'),
    cmd(`npm run agent -- simulate show --control-port ${port('imp-2a')}`, "a node's fake services"),
    cmd('npm run prg -- history prg-1'),
    pc.dim(
      `  A service set "broken" refuses to start: fail imp-2a over, break one of its services, fall back → Start of Critical Services Failed; repair it, then npm run prg -- recover prg-2.`,
    ),
    pc.dim(`  Control ports: ${[...demo.agents].map(([id, a]) => `${id} ${a.controlPort}`).join(', ')}.`),
    pc.dim(`  Without the CLI: curl -s -H "Authorization: Bearer $PRG_TOKEN" $PRG_URL/v1/groups/prg-1`),
    '',
    `What happens shows up below. ${pc.bold('Ctrl-C stops everything.')}`,
    '',
  ];
  say(lines.join('\n'));
}

async function setFake(demo: Running, nodeId: string, target: string, status: string): Promise<void> {
  const controlPort = demo.agents.get(nodeId)?.controlPort ?? 0;
  say(pc.bold(`\n▶ prg-agent simulate set ${target} ${status} --control-port ${controlPort}   (${nodeId})`));
  await controlRequest(controlPort, 'POST', '/set', { target, status });
}

async function fakeState(demo: Running, nodeId: string): Promise<FakeState> {
  return controlRequest<FakeState>(demo.agents.get(nodeId)?.controlPort ?? 0, 'GET', '/state');
}

/** prg-1: a critical service stops → automatic failover; repaired → manual fallback. */
async function automaticFailoverStory(demo: Running): Promise<void> {
  const user = demo.userOf1a;
  await setFake(demo, 'imp-1a', 'sip-proxy', 'stopped');
  const failoverMs = await demo.api.waitFor('prg-1', [
    'FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING/CRITICAL_SERVICE_DOWN',
    'RUNNING_IN_BACKUP_MODE/CRITICAL_SERVICE_DOWN',
  ]);
  say(pc.green(`✔ prg-1 failed over ${Math.round(failoverMs / 1000)} s after the service stopped.`));
  if (user) {
    const placement = await demo.api.call('GET /v1/users/{userId}', { path: { userId: user } });
    if (placement.currentNode !== 'imp-1b')
      throw new Error(`${user} is served by ${placement.currentNode}, not imp-1b`);
    say(pc.green(`✔ ${user} (home imp-1a) is served by imp-1b.`));
  }
  await setFake(demo, 'imp-1a', 'sip-proxy', 'running');
  await demo.api.waitFor('prg-1', [
    'FAILED_OVER/CRITICAL_SERVICE_DOWN',
    'RUNNING_IN_BACKUP_MODE/CRITICAL_SERVICE_DOWN',
  ]);
  say(pc.green('✔ imp-1a is Failed Over: healthy again, ready for fallback.'));
  say(pc.bold('\n▶ prg fallback imp-1a'));
  await demo.api.call('POST /v1/groups/{name}/fallback', {
    path: { name: 'prg-1' },
    body: { nodeId: 'imp-1a' },
  });
  await demo.api.waitFor('prg-1', ['NORMAL/NORMAL', 'NORMAL/NORMAL']);
  if (user) {
    const placement = await demo.api.call('GET /v1/users/{userId}', { path: { userId: user } });
    if (placement.currentNode !== 'imp-1a')
      throw new Error(`${user} is served by ${placement.currentNode} after fallback`);
  }
  say(pc.green('✔ prg-1 fell back: both nodes Normal, users home.'));
}

/** prg-2: a manual failover (imp-2a told to stop its services), then a fallback (told to start them). */
async function manualFailoverStory(demo: Running): Promise<void> {
  say(pc.bold('\n▶ prg failover imp-2a'));
  await demo.api.call('POST /v1/groups/{name}/failover', {
    path: { name: 'prg-2' },
    body: { nodeId: 'imp-2a' },
  });
  await demo.api.waitFor('prg-2', ['IDLE/ON_ADMIN_REQUEST', 'RUNNING_IN_BACKUP_MODE/ON_ADMIN_REQUEST']);
  await waitUntil('imp-2a to stop its services', async () =>
    Object.values((await fakeState(demo, 'imp-2a')).services).every((s) => s === 'stopped'),
  );
  say(pc.green('✔ imp-2a is Idle and its agent stopped its critical services, as ordered.'));
  say(pc.bold('\n▶ prg fallback imp-2a'));
  await demo.api.call('POST /v1/groups/{name}/fallback', {
    path: { name: 'prg-2' },
    body: { nodeId: 'imp-2a' },
  });
  await demo.api.waitFor('prg-2', ['NORMAL/NORMAL', 'NORMAL/NORMAL']);
  if (!Object.values((await fakeState(demo, 'imp-2a')).services).every((s) => s === 'running'))
    throw new Error('imp-2a is Normal but its agent did not start its services');
  say(pc.green('✔ prg-2 fell back: imp-2a started its services, both nodes Normal.'));
}

async function waitUntil(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((res) => setTimeout(res, 250));
  }
}

async function main(): Promise<void> {
  const demo = await setUp();
  let stopping = false;
  const stop = (code: number) => {
    if (stopping) process.exit(code);
    stopping = true;
    // The story's outcome is the exit code; a cleanup that fails is said, not counted.
    demo
      .stop()
      .catch((e: unknown) => process.stderr.write(`Stopping the demo failed: ${String(e)}\n`))
      .finally(() => process.exit(code));
  };
  process.on('SIGINT', () => {
    say('\nStopping the demo (agents, API, DynamoDB Local)…');
    stop(0);
  });
  process.on('SIGTERM', () => stop(0));
  if (!scripted) return instructions(demo);

  say(
    pc.bold('\nScripted demo: an automatic failover on prg-1 and a manual one on prg-2, each fallen back.'),
  );
  const watchdog = setTimeout(() => {
    say(pc.red(`The scripted demo did not finish within ${SCRIPT_DEADLINE_MS / 1000} s.`));
    stop(1);
  }, SCRIPT_DEADLINE_MS);
  try {
    await Promise.all([automaticFailoverStory(demo), manualFailoverStory(demo)]);
    clearTimeout(watchdog);
    say(
      pc.green(
        pc.bold(
          `\nScripted demo done in ${Math.round((Date.now() - started) / 1000)} s: both groups failed over and fell back.`,
        ),
      ),
    );
    stop(0);
  } catch (e) {
    clearTimeout(watchdog);
    say(pc.red(`\nThe scripted demo failed: ${e instanceof Error ? e.message : String(e)}`));
    stop(1);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`The demo could not start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
