import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startEmbedded, type Embedded } from '../../local/embedded';
import { Heartbeats } from './support/heartbeats';
import { cleanEnv, runPrg, spawnPrg, until, type Run } from './support/prg';
import { legacyNodeRecord } from '../support/legacyNode';

// The real CLI, as a child process, against a fresh embedded default: what an operator
// types and sees. Each test makes its own cluster and group, so they run concurrently.

let server: Embedded;
let home: string;
const tag = randomUUID().slice(0, 6);
let counter = 0;

/**
 * Small timers so that every scenario takes seconds (the parameters' ranges allow them). The
 * keep-alive timeout is generous: no scenario here waits for a lost heartbeat, and a
 * machine busy starting many CLI processes must not make a node look silent.
 */
const FAST = [
  'keepAliveInterval=1',
  'keepAliveTimeout=10',
  'initializationKeepAliveTimeout=20',
  'criticalServiceDelay=2',
];

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'prg-e2e-'));
  server = await startEmbedded({
    port: 0,
    dynamoEndpoint: inject('dynamoEndpoint'),
    tablePrefix: `e2e-${tag}`,
    testSwitches: true,
    sweepSeconds: 1,
    writeLine: () => undefined,
  });
});

afterAll(async () => {
  await server?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

/** The environment of an admin operator: PRG_URL and PRG_TOKEN, and a config file that does not exist. */
function adminEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return cleanEnv(home, {
    PRG_URL: server.url,
    PRG_TOKEN: server.adminToken,
    PRG_CONFIG: join(home, 'absent.json'),
    ...extra,
  });
}

/** Runs `prg` as the admin operator. */
const prg = (args: string[], extra: Record<string, string | undefined> = {}): Promise<Run> =>
  runPrg(args, adminEnv(extra));

/** Fails with everything the CLI printed when it did not exit with `code`. */
function expectExit(run: Run, code: number): Run {
  expect(run.code, `exit ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`).toBe(code);
  return run;
}

const ESCAPE = '\u001b[';

interface Pair {
  cluster: string;
  group: string;
  a: string;
  b: string;
  stop(): void;
}

/**
 * What an operator does to set up a pair, by CLI: small cluster timers, two registered
 * nodes (their agents stood in for by heartbeat loops), and, unless `ha` is false, an HA
 * group of them.
 */
async function pairByCli(o: { ha?: boolean } = {}): Promise<Pair> {
  const n = ++counter;
  const cluster = `c${n}-${tag}`;
  const group = `prg${n}-${tag}`;
  const [a, b] = [`imp-a${n}-${tag}`, `imp-b${n}-${tag}`];
  expectExit(await prg(['params', 'set', '--cluster', cluster, ...FAST]), 0);
  const beats: Heartbeats[] = [];
  for (const nodeId of [a, b]) {
    const reg = expectExit(
      await prg([
        'node',
        'register',
        nodeId,
        '--hostname',
        `${nodeId}.example.com`,
        '--cluster',
        cluster,
        '--software-version',
        '15.0',
        '--publisher',
        `pub-${cluster}`,
        '--json',
      ]),
      0,
    );
    const hb = new Heartbeats(server.url, nodeId, JSON.parse(reg.stdout).token);
    await hb.beat();
    beats.push(hb.start());
  }
  if (o.ha !== false) expectExit(await prg(['group', 'create', group, a, b, '--ha']), 0);
  return { cluster, group, a, b, stop: () => beats.forEach((x) => x.stop()) };
}

/** The group's `state/reason` per node, as `prg status <group> --json` reports them. */
async function states(group: string): Promise<string[]> {
  const run = expectExit(await prg(['status', group, '--json']), 0);
  return JSON.parse(run.stdout).nodes.map((n: { state: string; reason: string }) => `${n.state}/${n.reason}`);
}

/**
 * Waits until the group is in `expected`. Setup, not an assertion: it asks the API
 * directly, which is cheaper than a CLI process per poll.
 */
async function waitForStates(group: string, expected: string[]): Promise<void> {
  let seen: string[] = [];
  await until(`${group} to be ${expected.join(' + ')}`, async () => {
    const res = await fetch(`${server.url}/v1/groups/${group}`, {
      headers: { authorization: `Bearer ${server.readToken}` },
    });
    const body = (await res.json()) as { nodes: { state: string; reason: string }[] };
    seen = body.nodes.map((n) => `${n.state}/${n.reason}`);
    return seen.join() === expected.join() ? true : undefined;
  }).catch((e: unknown) => {
    expect(seen, String(e)).toEqual(expected);
  });
}

const NORMAL = ['NORMAL/NORMAL', 'NORMAL/NORMAL'];

/** A local port nothing listens on: the control plane "down". */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

// Every step is a process start; on 2 cores and Node 20 a scenario can take half a minute.
describe.concurrent(
  "prg, the operators' CLI, end to end against the embedded default",
  { timeout: 60_000 },
  () => {
    it('registers nodes (the token shown once, with where to put it), creates an HA group, shows it Normal as an aligned table and as JSON', async () => {
      const n = ++counter;
      const cluster = `c${n}-${tag}`;
      expectExit(await prg(['params', 'set', '--cluster', cluster, ...FAST]), 0);
      const nodes: string[] = [];
      const beats: Heartbeats[] = [];
      try {
        for (const side of ['a', 'b']) {
          const nodeId = `imp-${side}${n}-${tag}`;
          const reg = expectExit(
            await prg([
              'node',
              'register',
              nodeId,
              '--hostname',
              `${nodeId}.example.com`,
              '--cluster',
              cluster,
              '--software-version',
              '15.0',
              '--publisher',
              'pub-1',
            ]),
            0,
          );
          expect(reg.stdout).toContain(`Node ${nodeId} registered in cluster ${cluster}.`);
          expect(reg.stdout).toContain("Put this token in the node agent's config");
          expect(reg.stdout).toContain('shown only this once');
          const token = /token\s+(\S+)/.exec(reg.stdout)![1]!;
          const hb = new Heartbeats(server.url, nodeId, token);
          await hb.beat();
          beats.push(hb.start());
          nodes.push(nodeId);
        }
        const group = `prg${n}-${tag}`;
        const created = expectExit(await prg(['group', 'create', group, ...nodes, '--ha']), 0);
        expect(created.stdout).toContain(`Group ${group} created with high availability on.`);
        await waitForStates(group, NORMAL);

        const table = expectExit(await prg(['status']), 0).stdout;
        expect(table).not.toContain(ESCAPE);
        const lines = table.split('\n');
        const at = lines.findIndex((l) => l.startsWith(`${group}  HA on  cluster ${cluster}`));
        expect(at, table).toBeGreaterThanOrEqual(0);
        const [header, rowA, rowB] = lines.slice(at + 1, at + 4) as [string, string, string];
        // The stand-in agents send no `heard`, as agents before the acknowledgement did:
        // an AGENT column marks them old, and one line says to upgrade them.
        expect(header).toMatch(/^ {2}NODE +STATE +REASON +LAST HEARTBEAT +SERVICES +DATABASE +AGENT$/);
        // Aligned: every row's state starts under STATE, its age under LAST HEARTBEAT.
        for (const [row, nodeId] of [
          [rowA, nodes[0]!],
          [rowB, nodes[1]!],
        ] as const) {
          expect(row.startsWith(`  ${nodeId} `)).toBe(true);
          expect(row.indexOf('Normal')).toBe(header.indexOf('STATE'));
          expect(row.slice(header.indexOf('LAST HEARTBEAT'))).toMatch(/^\d+s ago +5\/5 running +up +old$/);
        }
        expect(lines[at + 4]).toContain(
          `${nodes[0]} and ${nodes[1]} run agents too old to acknowledge (no \`heard\`)`,
        );
        expect(lines[at + 4]).toContain('Upgrade prg-agent on them');
        // Normal / Normal: nothing to recommend.
        expect(lines[at + 5] ?? '').not.toContain('Recommended actions');

        const json = JSON.parse(expectExit(await prg(['status', '--json']), 0).stdout);
        const mine = json.groups.find((g: { name: string }) => g.name === group);
        expect(mine.nodes.map((x: { nodeId: string; state: string }) => [x.nodeId, x.state])).toEqual([
          [nodes[0], 'NORMAL'],
          [nodes[1], 'NORMAL'],
        ]);
        const listed = JSON.parse(expectExit(await prg(['node', 'list', '--json']), 0).stdout);
        expect(listed.nodes.filter((x: { group: string }) => x.group === group)).toHaveLength(2);
        const shown = expectExit(await prg(['node', 'show', nodes[0]!]), 0).stdout;
        expect(shown).toMatch(new RegExp(`group +${group}`));
        expect(shown).toMatch(/last heartbeat +\d+s ago/);
      } finally {
        beats.forEach((x) => x.stop());
      }
    });

    it('failover --wait ends 0 with Idle / Running in Backup Mode and shows the cause and the next command; a second failover exits 4 with the states; fallback --wait returns to Normal; events and history tell the story', async () => {
      const p = await pairByCli();
      try {
        await waitForStates(p.group, NORMAL);
        const events = spawnPrg(['events', '--group', p.group, '--count', '4'], adminEnv());
        await until('the event stream to be followed', async () =>
          /Following events/.test(events.output().stderr) ? true : undefined,
        );

        const failover = expectExit(await prg(['failover', p.a, '--wait']), 0);
        expect(failover.stdout).toContain(`Failover of group ${p.group} ended after`);
        expect(failover.stdout).toContain(
          `${p.a} Idle (On Admin Request), ${p.b} Running in Backup Mode (On Admin Request)`,
        );
        expect(failover.stdout).toContain(`With prg: prg fallback ${p.a} --wait`);
        // Not a terminal: progress is plain lines on stderr, no spinner.
        expect(failover.stderr).not.toContain('\r');

        const status = expectExit(await prg(['status', p.group]), 0).stdout;
        expect(status).toMatch(new RegExp(`${p.a} +Idle +On Admin Request +\\d+s ago`));
        expect(status).toMatch(new RegExp(`${p.b} +Running in Backup Mode +On Admin Request`));
        expect(status).toContain(
          `Cause: The failover an operator asked for is done: node ${p.a} is idle and node ${p.b} serves its users.`,
        );

        const again = expectExit(await prg(['failover', p.a]), 4);
        expect(again.stdout).toBe('');
        expect(again.stderr).toMatch(/^error: Failover needs both nodes Normal/);
        expect(again.stderr).toContain('current states:');
        expect(again.stderr).toMatch(new RegExp(`${p.a} +Idle \\(On Admin Request\\)`));
        expect(again.stderr).toMatch(new RegExp(`${p.b} +Running in Backup Mode \\(On Admin Request\\)`));

        const fallback = expectExit(await prg(['fallback', p.a, '--wait', '--json']), 0);
        expect(JSON.parse(fallback.stdout).nodes.map((x: { state: string }) => x.state)).toEqual([
          'NORMAL',
          'NORMAL',
        ]);
        expect(await states(p.group)).toEqual(NORMAL);

        const seen = await events.done;
        expectExit(seen, 0);
        // One line per event; an operator notification's further lines are indented.
        const heads = seen.stdout
          .trim()
          .split('\n')
          .filter((line) => !line.startsWith('    '));
        expect(heads).toHaveLength(4);
        expect(seen.stdout).toMatch(new RegExp(`Notification +${p.group} `));
        expect(seen.stdout).toMatch(
          new RegExp(`NodeStateChanged +${p.group} +${p.a} +Normal → Failing Over +On Admin Request`),
        );
        expect(seen.stdout).toMatch(new RegExp(`FailoverStarted +${p.group} .*users ${p.a} → ${p.b}`));

        const history = expectExit(await prg(['history', p.group, '--limit', '50']), 0).stdout;
        expect(history).toMatch(new RegExp(`${p.a} +Taking Back → Normal`));
        expect(history).toMatch(new RegExp(`${p.a} +Failing Over → Idle +On Admin Request`));
        const newest = JSON.parse(
          expectExit(await prg(['history', p.group, '--limit', '1', '--json']), 0).stdout,
        );
        expect(newest.history).toHaveLength(1);
      } finally {
        p.stop();
      }
    });

    it('a --wait that ends in Running in Failed Mode exits 1 (the user move fails, by the test switch); recover --wait brings both back to Normal', async () => {
      const p = await pairByCli();
      try {
        await waitForStates(p.group, NORMAL);
        const injected = await fetch(`${server.url}/_test/faults`, {
          method: 'POST',
          headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ group: p.group, task: 'moveUsers' }),
        });
        expect(injected.status).toBe(204);

        const failed = expectExit(await prg(['failover', p.a, '--wait']), 1);
        expect(failed.stdout).toMatch(
          new RegExp(`${p.a} +Running in Failed Mode +Cisco Server Recovery Manager Take Over Users Failed`),
        );
        expect(failed.stdout).toContain('Recommended actions:');
        expect(failed.stdout).toMatch(/ {4}1\. .*`prg recover /);
        expect(failed.stdout).toContain(`With prg: prg recover ${p.group} --wait`);
        expect(failed.stderr).toContain(
          `error: the failover failed: group ${p.group} is ${p.a} Running in Failed Mode`,
        );

        const recovered = expectExit(await prg(['recover', p.group, '--wait']), 0);
        expect(recovered.stdout).toContain(`Recovery of group ${p.group} ended after`);
        expect(recovered.stdout).toContain(`${p.a} Normal (Normal), ${p.b} Normal (Normal)`);
      } finally {
        p.stop();
      }
    });

    it('events --count 2 --json prints the NodeStateChanged events of a group as HA is enabled, one JSON object per line', async () => {
      const p = await pairByCli({ ha: false });
      try {
        expectExit(await prg(['group', 'create', p.group, p.a, p.b]), 0);
        const events = spawnPrg(
          ['events', '--group', p.group, '--count', '2', '--json'],
          adminEnv({
            PRG_TOKEN: server.readToken,
          }),
        );
        await until('the event stream to be followed', async () =>
          /Following events/.test(events.output().stderr) ? true : undefined,
        );
        const enabled = expectExit(await prg(['group', 'enable-ha', p.group]), 0);
        expect(enabled.stdout).toContain(`High availability enabled on group ${p.group}.`);
        const run = expectExit(await events.done, 0);
        const lines = run.stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l));
        expect(lines).toHaveLength(2);
        for (const e of lines) {
          expect(e).toMatchObject({ source: 'presence-ha', 'detail-type': 'NodeStateChanged' });
          expect(e.detail.group).toBe(p.group);
        }
        expect(lines.map((e) => e.detail.nodeId).sort()).toEqual([p.a, p.b].sort());
      } finally {
        p.stop();
      }
    });

    it('connection: --url/--token win over PRG_URL/PRG_TOKEN, which win over the config file (written by prg config set, owner-only); with no token at all, exit 3 and how to configure one', async () => {
      const config = join(home, `config-${randomUUID()}.json`);
      const bare = (extra: Record<string, string | undefined> = {}) =>
        cleanEnv(home, { PRG_CONFIG: config, ...extra });
      const down = `http://127.0.0.1:${await closedPort()}`;

      const none = expectExit(await runPrg(['group', 'list'], bare()), 3);
      expect(none.stderr).toMatch(/^error: no API token configured/);
      expect(none.stderr).toContain('set PRG_TOKEN');
      expect(none.stderr).toContain(`prg config set --url`);

      const saved = expectExit(
        await runPrg(['config', 'set', '--url', server.url, '--token', server.adminToken], bare()),
        0,
      );
      expect(saved.stdout).toContain(`Saved url and token to ${config}.`);
      expect(JSON.parse(readFileSync(config, 'utf8'))).toEqual({ url: server.url, token: server.adminToken });
      expect(statSync(config).mode & 0o777).toBe(0o600);

      // The config file alone is enough.
      expectExit(await runPrg(['group', 'list'], bare()), 0);
      // The environment beats the file: a bad token there is refused, an unreachable URL fails.
      const badEnvToken = expectExit(
        await runPrg(['group', 'list'], bare({ PRG_TOKEN: 'prg_admin_wrong' })),
        3,
      );
      expect(badEnvToken.stderr).toContain('The token from PRG_TOKEN was not accepted');
      const badEnvUrl = expectExit(await runPrg(['group', 'list'], bare({ PRG_URL: down })), 1);
      expect(badEnvUrl.stderr).toContain(`error: cannot reach the control plane at ${down}`);
      expect(badEnvUrl.stderr).toContain('(from PRG_URL)');
      // Flags beat the environment.
      expectExit(
        await runPrg(
          ['--token', server.adminToken, '--url', server.url, 'group', 'list'],
          bare({ PRG_TOKEN: 'prg_admin_wrong', PRG_URL: down }),
        ),
        0,
      );
      const badFlag = expectExit(
        await runPrg(['group', 'list', '--token', 'prg_admin_wrong'], bare({ PRG_TOKEN: server.adminToken })),
        3,
      );
      expect(badFlag.stderr).toContain('The token from --token was not accepted');

      const shown = JSON.parse(
        expectExit(await runPrg(['config', 'show', '--json'], bare({ PRG_TOKEN: server.readToken })), 0)
          .stdout,
      );
      expect(shown).toMatchObject({ url: server.url, urlSource: 'config file', tokenSource: 'PRG_TOKEN' });
      expect(shown.token).not.toBe(server.readToken);

      // XDG_CONFIG_HOME is where the file lives when PRG_CONFIG does not say.
      const xdg = join(home, `xdg-${randomUUID()}`);
      expectExit(
        await runPrg(
          ['config', 'set', '--url', server.url, '--token', server.readToken],
          cleanEnv(home, { XDG_CONFIG_HOME: xdg }),
        ),
        0,
      );
      expect(JSON.parse(readFileSync(join(xdg, 'presence-ha', 'config.json'), 'utf8')).url).toBe(server.url);
      expectExit(await runPrg(['status'], cleanEnv(home, { XDG_CONFIG_HOME: xdg })), 0);

      // A broken config file is named, with what it should hold.
      const broken = join(home, `broken-${randomUUID()}.json`);
      writeFileSync(broken, '{"url": ');
      const refused = expectExit(await runPrg(['status'], bare({ PRG_CONFIG: broken })), 2);
      expect(refused.stderr).toContain(`error: the config file ${broken} is not valid JSON`);
    });

    it('exit code 2 for usage: a bad argument, an unknown command or option, a missing option, an unknown group (404), input the API refuses (400) with one line per field error', async () => {
      const limit = expectExit(await prg(['history', 'any', '--limit', '0']), 2);
      expect(limit.stderr).toContain('must be a whole number from 1 to 1000');
      expectExit(await prg(['fly']), 2);
      expectExit(await prg(['status', '--colour']), 2);
      expectExit(await prg(['failover']), 2);
      expectExit(await prg(['mode', 'set', 'SOMETIMES']), 2);
      const noTarget = expectExit(await prg(['params', 'get']), 2);
      expect(noTarget.stderr).toContain('--cluster <clusterId> or --node <nodeId>');
      const notPair = expectExit(await prg(['params', 'set', '--cluster', 'c1', 'keepAliveTimeout']), 2);
      expect(notPair.stderr).toContain('"keepAliveTimeout" is not name=value');

      const missing = expectExit(await prg(['status', `nosuch-${tag}`]), 2);
      expect(missing.stderr).toBe(
        `error: No group named nosuch-${tag}. Check the name, or find groups with GET /v1/groups?name=PREFIX.\n` +
          '  List them with: prg group list\n',
      );
      const noNode = expectExit(await prg(['failover', `nosuch-${tag}`]), 2);
      expect(noNode.stderr).toContain(`No node named nosuch-${tag}`);

      const invalid = expectExit(
        await prg(['group', 'create', `bad-${tag}`, `ghost1-${tag}`, `ghost2-${tag}`]),
        2,
      );
      expect(invalid.stderr.split('\n')).toEqual([
        'error: The group cannot be made of these nodes.',
        `  nodes.0: node ghost1-${tag} is not registered`,
        `  nodes.1: node ghost2-${tag} is not registered`,
        '',
      ]);
      const range = expectExit(
        await prg(['params', 'set', '--cluster', `c-${tag}`, 'keepAliveInterval=0']),
        2,
      );
      expect(range.stderr).toContain('  keepAliveInterval: ');
    });

    it('exit code 3 for auth: a token the API does not know (401), the read token used for a change (403)', async () => {
      const bad = expectExit(await prg(['status'], { PRG_TOKEN: 'prg_admin_not-a-token' }), 3);
      expect(bad.stderr).toMatch(/^error: /);
      expect(bad.stdout).toBe('');
      const readOnly = expectExit(await prg(['mode', 'set', 'BALANCED'], { PRG_TOKEN: server.readToken }), 3);
      expect(readOnly.stderr).toContain('need the\n  admin token (scope prg/admin)');
      // The read token reads.
      expectExit(await prg(['mode', 'get', '--json'], { PRG_TOKEN: server.readToken }), 0);
    });

    it('colour: Normal in green when colour is forced (FORCE_COLOR), none into a pipe, none with NO_COLOR or --no-color, never in --json', async () => {
      const p = await pairByCli();
      try {
        await waitForStates(p.group, NORMAL);
        const coloured = expectExit(await prg(['status', p.group], { FORCE_COLOR: '1' }), 0).stdout;
        expect(coloured).toContain(`${ESCAPE}32mNormal${ESCAPE}39m`);
        expect(expectExit(await prg(['status', p.group]), 0).stdout).not.toContain(ESCAPE);
        const noColor = await prg(['status', p.group], { FORCE_COLOR: '1', NO_COLOR: '1' });
        expect(expectExit(noColor, 0).stdout).not.toContain(ESCAPE);
        expect(noColor.stdout).toContain('Normal');
        const flag = await prg(['--no-color', 'status', p.group], { FORCE_COLOR: '1' });
        expect(expectExit(flag, 0).stdout).not.toContain(ESCAPE);
        // --json is for machines: never coloured.
        const json = await prg(['status', p.group, '--json'], { FORCE_COLOR: '1' });
        expect(JSON.parse(expectExit(json, 0).stdout).name).toBe(p.group);
      } finally {
        p.stop();
      }
    });

    it('params, mode, users, token rotation, group update / disable-ha / delete and node delete do what they say', async () => {
      const p = await pairByCli();
      try {
        const params = JSON.parse(
          expectExit(await prg(['params', 'get', '--cluster', p.cluster, '--json']), 0).stdout,
        );
        expect(params).toMatchObject({ keepAliveInterval: 1, keepAliveTimeout: 10, criticalServiceDelay: 2 });
        const set = expectExit(
          await prg([
            'params',
            'set',
            '--cluster',
            p.cluster,
            'enableAutomaticFallback=true',
            'criticalServices=Cisco XCP Router,Cisco SIP Proxy',
          ]),
          0,
        );
        expect(set.stdout).toMatch(/enableAutomaticFallback +true/);
        expect(set.stdout).toMatch(/criticalServices +Cisco XCP Router, Cisco SIP Proxy/);
        expectExit(await prg(['params', 'set', '--node', p.a, 'clientReloginLowerLimit=60']), 0);
        expect(
          JSON.parse(expectExit(await prg(['params', 'get', '--node', p.a, '--json']), 0).stdout),
        ).toEqual({ clientReloginLowerLimit: 60, clientReloginUpperLimit: 537 });

        expect(JSON.parse(expectExit(await prg(['mode', 'get', '--json']), 0).stdout)).toEqual({
          userAssignmentMode: 'BALANCED',
        });
        await waitForStates(p.group, NORMAL);
        const user = `ann-${tag}@example.com`;
        const added = JSON.parse(
          expectExit(await prg(['user', 'add', user, '--cluster', p.cluster, '--json']), 0).stdout,
        );
        expect([p.a, p.b]).toContain(added.homeNode);
        const shown = expectExit(await prg(['user', 'show', user]), 0).stdout;
        expect(shown).toMatch(new RegExp(`home node +${added.homeNode}`));
        // A manual home needs mode NONE: a 409 that says so, then allowed.
        const other = added.homeNode === p.a ? p.b : p.a;
        const refused = expectExit(await prg(['user', 'home', user, other]), 4);
        expect(refused.stderr).toContain('Set it to NONE');
        expectExit(await prg(['user', 'rebalance', p.cluster]), 0);
        expectExit(await prg(['user', 'delete', user]), 0);
        expectExit(await prg(['user', 'show', user]), 2);

        const rotated = expectExit(await prg(['node', 'rotate-token', p.b]), 0);
        expect(rotated.stdout).toContain('The previous token no longer works');

        expectExit(await prg(['group', 'update', p.group, '--description', 'Building 7']), 0);
        expect(expectExit(await prg(['group', 'list', '--prefix', p.group]), 0).stdout).toMatch(
          new RegExp(`${p.group} +on +${p.cluster} .*Building 7`),
        );
        const off = expectExit(await prg(['group', 'disable-ha', p.group]), 0);
        expect(off.stdout).toContain('High availability is off');
        const inUse = expectExit(await prg(['node', 'delete', p.a]), 4);
        expect(inUse.stderr).toMatch(/^error: /);
        expectExit(await prg(['group', 'delete', p.group]), 0);
        expectExit(await prg(['node', 'delete', p.a]), 0);
        expectExit(await prg(['node', 'show', p.a]), 2);
      } finally {
        p.stop();
      }
    });

    it('--help of every command shows an example; the root help documents the connection order and the exit codes', async () => {
      const root = expectExit(await prg(['--help']), 0).stdout;
      expect(root).toContain('Exit codes:');
      for (const code of ['0  ok', '1  operation failed', '2  usage', '3  auth', '4  conflict'])
        expect(root).toContain(code);
      expect(root).toContain('PRG_URL, PRG_TOKEN');
      const commands = [
        ['status'],
        ['failover'],
        ['fallback'],
        ['recover'],
        ['history'],
        ['events'],
        ...['create', 'list', 'show', 'update', 'delete', 'enable-ha', 'disable-ha'].map((c) => ['group', c]),
        ...['register', 'list', 'show', 'rotate-token', 'delete'].map((c) => ['node', c]),
        ['params', 'get'],
        ['params', 'set'],
        ['mode', 'get'],
        ['mode', 'set'],
        ...['add', 'show', 'home', 'delete', 'rebalance'].map((c) => ['user', c]),
        ['config', 'show'],
        ['config', 'set'],
      ];
      const runs = await Promise.all(commands.map((c) => prg([...c, '--help'])));
      runs.forEach((run, i) => {
        expect(run.code, commands[i]!.join(' ')).toBe(0);
        expect(run.stdout, commands[i]!.join(' ')).toMatch(/Examples:\n {2}prg /);
      });
      for (const c of ['status', 'group list', 'node list', 'params get', 'history'])
        expect(runs[commands.findIndex((x) => x.join(' ') === c)]!.stdout).toContain('--json');
    });
  },
);

// Issue 12 items 3 and 4 by CLI: maintenance windows, dry runs; scripts (no TTY) are never asked.
describe.concurrent('prg pause/resume and --dry-run', { timeout: 150_000 }, () => {
  it('pause shows the window in status and JSON, resume ends it; --dry-run changes nothing; delete without a TTY does not ask', async () => {
    const pair = await pairByCli();
    try {
      await waitForStates(pair.group, NORMAL);
      const paused = expectExit(
        await prg(['pause', pair.group, '--reason', 'patching imp-a', '--until', '2h']),
        0,
      );
      expect(paused.stdout).toContain(`Group ${pair.group} is in maintenance until`);
      expect(paused.stdout).toContain('by admin token: patching imp-a');
      const status = expectExit(await prg(['status', pair.group]), 0).stdout;
      expect(status).toContain('MAINTENANCE');
      const json = JSON.parse(expectExit(await prg(['status', pair.group, '--json']), 0).stdout);
      expect(json.maintenance).toMatchObject({ reason: 'patching imp-a', by: 'admin token' });
      const ahead = Date.parse(json.maintenance.until) - Date.now();
      expect(ahead).toBeGreaterThan(7_000_000);
      expect(ahead).toBeLessThanOrEqual(7_200_000);
      expect(expectExit(await prg(['resume', pair.group]), 0).stdout).toContain('out of maintenance');

      const dry = expectExit(await prg(['failover', pair.a, '--dry-run']), 0).stdout;
      expect(dry).toContain(`Dry run on group ${pair.group}: would start TAKE_OVER; nothing was changed.`);
      expect(dry).toMatch(/Failing Over\s+Idle/);
      await waitForStates(pair.group, NORMAL);
      expect(dry).toContain('Users whose serving node changes: 0');
      // Refused as a dry run exactly as for real: exit 4.
      expectExit(await prg(['recover', pair.group, '--dry-run']), 4);

      expectExit(await prg(['group', 'delete', pair.group]), 0);
    } finally {
      pair.stop();
    }
  });
});

// After an upgrade from the release before MAC tokens: whom to rotate, by CLI.
describe('prg node list/show and legacy (prgn.) tokens', { timeout: 60_000 }, () => {
  it('a node still on a legacy token is flagged in node list and node show, with what to do, until it is rotated', async () => {
    const id = `old-${tag}`;
    // Stored as the previous release registered it: a token hash and no token generation.
    await server.ports.nodes.create(legacyNodeRecord(id, { clusterId: `c-old-${tag}` }));
    const row = (stdout: string) => stdout.split('\n').find((l) => l.startsWith(`${id} `)) ?? '';
    const list = expectExit(await prg(['node', 'list']), 0).stdout;
    expect(list.split('\n')[0]).toMatch(/LAST HEARTBEAT +TOKEN$/);
    expect(row(list)).toMatch(/ legacy$/);
    expect(list).toMatch(
      /\d+ nodes? holds? a legacy \(prgn\.\) token.*prg node rotate-token (<nodeId>|old-)/,
    );
    // The date the server's legacy window closes, as the list and the node say it.
    const closes = (await server.ports.nodeTokens.keyRing()).legacyUntil;
    expect(closes, 'the embedded default keeps a legacy window').toEqual(expect.any(Number));
    const until = new Date(closes!).toISOString();
    const deadline = new RegExp(
      `refused (from|since the legacy window closed at) ${until.replaceAll('.', '\\.')}`,
    );
    expect(list).toMatch(deadline);
    const show = expectExit(await prg(['node', 'show', id]), 0).stdout;
    expect(show).toMatch(/token +legacy \(prgn\.\)/);
    expect(show).toMatch(deadline);
    expect(show).toContain(`rotate with \`prg node rotate-token ${id}\``);
    expect(JSON.parse(expectExit(await prg(['node', 'show', id, '--json']), 0).stdout)).toMatchObject({
      nodeId: id,
      legacyToken: true,
      legacyTokenAcceptedUntil: until,
    });

    expectExit(await prg(['node', 'rotate-token', id]), 0);
    const after = expectExit(await prg(['node', 'show', id]), 0).stdout;
    expect(after).toMatch(/token +current/);
    expect(after).not.toContain('legacy');
    const listed = JSON.parse(expectExit(await prg(['node', 'list', '--json']), 0).stdout);
    expect(listed.nodes.find((n: { nodeId: string }) => n.nodeId === id)).toMatchObject({
      legacyToken: false,
    });
    expectExit(await prg(['node', 'delete', id]), 0);
  });
});
