import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEFAULT_CRITICAL_SERVICES } from '../../lambdas/core';
import { Api, eventually, startTarget, type Target } from '../integration/support/target';
import { pairStates, waitForStates } from '../integration/support/states';
import {
  CALM_TIMERS,
  E2E_TIMERS,
  killAll,
  prgAgent,
  Proc,
  startPair,
  writeConfig,
  type Pair,
} from './support/agentProcess';

let t: Target;
let api: Api;
beforeAll(async () => {
  t = await startTarget();
  api = new Api(t);
});
afterAll(async () => {
  killAll();
  await t.stop();
});

const NORMAL = ['NORMAL/NORMAL', 'NORMAL/NORMAL'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Stops a pair's agents however the scenario left them. */
function stopPair(p: Pair): void {
  p.a.child.kill('SIGKILL');
  p.b.child.kill('SIGKILL');
}

describe.concurrent('prg-agent, end to end against the embedded default', () => {
  it('two agents heartbeat: both nodes Normal, their services recorded, one log line per change and none per heartbeat', async () => {
    const p = await startPair(api, t.url, 'normal', undefined, CALM_TIMERS);
    try {
      await waitForStates(api, p.group, NORMAL);
      const node = (await api.get(`/v1/nodes/${p.a.nodeId}`)).body;
      expect(Object.values(node.services)).toEqual(Array(5).fill('running'));
      expect(node.database).toBe('up');
      await p.a.line('state-changed', (l) => l.state === 'NORMAL');
      // A heartbeat slowed past 2 s by a loaded machine logs connection-lost/-restored,
      // which is true, and not what this test is about.
      const steady = () =>
        p.a.lines.filter((l) => !l.event.startsWith('connection-') || l.event === 'connection-established');
      const before = steady().length;
      // Three more heartbeats (interval 1 s) change nothing, so they log nothing.
      await sleep(3_500);
      expect(steady().length).toBe(before);
      for (const line of p.a.lines) {
        expect(line).toMatchObject({
          level: expect.any(String),
          nodeId: p.a.nodeId,
          event: expect.any(String),
        });
        expect(Date.parse(line.time)).not.toBeNaN();
        expect(line.message.length).toBeGreaterThan(10);
      }
      const events = steady().map((l) => l.event);
      expect(events.slice(0, 3)).toEqual(['agent-started', 'services-changed', 'connection-established']);
      expect(events.filter((e) => e !== 'state-changed' && e !== 'order-executed').length).toBe(3);
      expect(p.a.count('fencing-started')).toBe(0);
    } finally {
      stopPair(p);
    }
  }, 40_000);

  it('a service stopped with `prg-agent simulate set` fails the node over (Critical Service Down); repaired, the node falls back', async () => {
    const p = await startPair(api, t.url, 'crash');
    try {
      await waitForStates(api, p.group, NORMAL);
      const port = String(await p.a.controlPort());
      const unknown = await prgAgent([
        'simulate',
        'set',
        'no-such-service',
        'stopped',
        '--control-port',
        port,
      ]);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('No critical service "no-such-service"');
      expect(unknown.stderr).toContain('"Cisco SIP Proxy"');

      const set = await prgAgent(['simulate', 'set', 'Cisco SIP Proxy', 'stopped', '--control-port', port]);
      expect(set.code).toBe(0);
      expect(set.stdout).toContain(`${p.a.nodeId}: Cisco SIP Proxy running → stopped`);
      const failed = await waitForStates(api, p.group, [
        'FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING/CRITICAL_SERVICE_DOWN',
        'RUNNING_IN_BACKUP_MODE/CRITICAL_SERVICE_DOWN',
      ]);
      expect(failed.nodes[0].services['Cisco SIP Proxy']).toBe('stopped');
      await p.a.line('state-changed', (l) => l.state === 'FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING');

      expect((await prgAgent(['simulate', 'set', 'sip-proxy', 'running', '--control-port', port])).code).toBe(
        0,
      );
      await waitForStates(api, p.group, [
        'FAILED_OVER/CRITICAL_SERVICE_DOWN',
        'RUNNING_IN_BACKUP_MODE/CRITICAL_SERVICE_DOWN',
      ]);
      expect((await api.post(`/v1/groups/${p.group}/fallback`, { nodeId: p.a.nodeId })).status).toBe(202);
      await waitForStates(api, p.group, NORMAL);
      // The take-over of a node still heard ordered it to stop its services before its
      // users moved (it could still be serving them), and to start them again afterwards.
      expect(p.a.count('order-executed', (l) => l.order === 'stop')).toBeGreaterThanOrEqual(1);
    } finally {
      stopPair(p);
    }
  }, 60_000);

  it('manual failover: the idle node’s agent runs its stop command exactly once and stays Idle; fallback: it runs its start command once and both are Normal', async () => {
    const p = await startPair(api, t.url, 'manual', undefined, CALM_TIMERS);
    try {
      await waitForStates(api, p.group, NORMAL);
      expect((await api.post(`/v1/groups/${p.group}/failover`, { nodeId: p.a.nodeId })).status).toBe(202);
      await waitForStates(api, p.group, ['IDLE/ON_ADMIN_REQUEST', 'RUNNING_IN_BACKUP_MODE/ON_ADMIN_REQUEST']);
      const executed = await p.a.line('order-executed', (l) => l.order === 'stop');
      expect(executed).toMatchObject({ level: 'info', cause: 'order', exitCode: 0 });
      expect(executed.message).toContain('Stopped the critical services: order stop');
      await p.a.servicesAll('stopped');
      // Three more heartbeats repeat the order; the command does not run again.
      await sleep(3_500);
      // Orders only: a fence is a stop too, and this test is about the order's.
      const stops = (x: typeof p.a) =>
        x.count('order-executed', (l) => l.order === 'stop' && l.cause === 'order');
      expect(stops(p.a)).toBe(1);
      expect(stops(p.b)).toBe(0);
      expect(await pairStates(api, p.group)).toEqual([
        'IDLE/ON_ADMIN_REQUEST',
        'RUNNING_IN_BACKUP_MODE/ON_ADMIN_REQUEST',
      ]);
      expect(Object.values((await api.get(`/v1/nodes/${p.a.nodeId}`)).body.services)).toEqual(
        Array(5).fill('stopped'),
      );

      const starts = () => p.a.count('order-executed', (l) => l.order === 'start' && l.cause === 'order');
      const startsBefore = starts();
      expect((await api.post(`/v1/groups/${p.group}/fallback`, { nodeId: p.a.nodeId })).status).toBe(202);
      await waitForStates(api, p.group, NORMAL);
      await p.a.servicesAll('running');
      await sleep(2_000);
      expect(starts() - startsBefore).toBe(1);
      expect(stops(p.a)).toBe(1);
      expect(p.a.count('fencing-started')).toBe(0);
    } finally {
      stopPair(p);
    }
  }, 40_000);

  it('a real node (no --simulate): command and HTTP checks report its services; a manual failover runs its stop command once, the fallback its start command once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prg-node-'));
    const services = DEFAULT_CRITICAL_SERVICES.map((name, i) => [name, `${dir}/NODE.${i}.up`] as const);
    // Each node's services are flag files; its commands say in commands.log that they ran.
    const real = (nodeId: string) => {
      const flags = services.map(([, f]) => f.replace('NODE', nodeId));
      for (const f of flags) writeFileSync(f, '');
      return {
        services: Object.fromEntries(
          services.map(([name], i) => [name, { command: `test -f '${flags[i]}'`, timeoutSeconds: 2 }]),
        ),
        database: { http: `${t.url}/v1/health`, timeoutSeconds: 2 },
        startCommand: `echo start >> '${dir}/${nodeId}.commands' && touch ${flags.map((f) => `'${f}'`).join(' ')}`,
        stopCommand: `echo stop >> '${dir}/${nodeId}.commands' && rm -f ${flags.map((f) => `'${f}'`).join(' ')}`,
      };
    };
    // Real checks run shell commands and an HTTP probe each beat: on a loaded CI machine a
    // beat can take longer than the 2.5 s the 3 s timeout leaves before the agent fences,
    // and a fence is a second (correct) stop. A longer timeout keeps this test about orders.
    const p = await startPair(api, t.url, 'real', real, {
      ...E2E_TIMERS,
      keepAliveTimeout: 8,
      initializationKeepAliveTimeout: 16,
    });
    const commands = () => {
      const file = join(dir, `${p.a.nodeId}.commands`);
      return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : [];
    };
    try {
      await waitForStates(api, p.group, NORMAL);
      expect((await api.get(`/v1/nodes/${p.a.nodeId}`)).body.database).toBe('up');
      const before = commands().length;
      expect((await api.post(`/v1/groups/${p.group}/failover`, { nodeId: p.a.nodeId })).status).toBe(202);
      await waitForStates(api, p.group, ['IDLE/ON_ADMIN_REQUEST', 'RUNNING_IN_BACKUP_MODE/ON_ADMIN_REQUEST']);
      await eventually('the idle node to report its services stopped', async () => {
        const node = await api.get(`/v1/nodes/${p.a.nodeId}`);
        return Object.values(node.body.services).every((s) => s === 'stopped') ? true : undefined;
      });
      await sleep(2_000);
      expect(p.a.count('fencing-started')).toBe(0);
      expect(commands().slice(before)).toEqual(['stop']);
      expect((await p.a.line('order-executed')).command).toContain(`echo stop >> '${dir}/`);
      expect(p.a.count('order-executed', (l) => l.order === 'stop' && l.cause === 'order')).toBe(1);

      expect((await api.post(`/v1/groups/${p.group}/fallback`, { nodeId: p.a.nodeId })).status).toBe(202);
      await waitForStates(api, p.group, NORMAL);
      await sleep(2_000);
      expect(commands().slice(before)).toEqual(['stop', 'start']);
    } finally {
      stopPair(p);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 40_000);

  it('SIGTERM: the agent sends a shutdown notice and exits 0; its peer takes over with Peer Reboot', async () => {
    const p = await startPair(api, t.url, 'sigterm');
    try {
      await waitForStates(api, p.group, NORMAL);
      p.a.child.kill('SIGTERM');
      // Within its 3 s shutdown budget, and a margin for a loaded machine.
      expect(await p.a.exit(5_000)).toEqual({ code: 0, signal: null });
      await p.a.line('shutdown-notice-sent');
      await p.a.line('agent-stopped');
      await waitForStates(api, p.group, ['DOWN/PEER_REBOOT', 'RUNNING_IN_BACKUP_MODE/PEER_REBOOT']);
    } finally {
      stopPair(p);
    }
  }, 40_000);

  it('a bad config exits 2 with one line per field error, each naming its field', async () => {
    const file = writeConfig({
      apiUrl: 'ftp://control-plane',
      nodeId: 'bad node!',
      keepAliveTimeoutSeconds: 1,
      services: { 'Cisco SIP Proxy': { http: 'http://127.0.0.1:8080/health', command: 'true' } },
      database: { systemdUnit: 'db; rm -rf /' },
      startCommand: 'systemctl start cisco-*',
      stopComand: 'systemctl stop cisco-*',
    });
    const r = await prgAgent(['--config', file]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toBe(`prg-agent: ${file} is not a valid agent configuration:`);
    expect(lines.slice(1).map((l) => l.trim().split(':')[0])).toEqual([
      'apiUrl',
      'nodeId',
      'token',
      'keepAliveTimeoutSeconds',
      'services["Cisco SIP Proxy"]',
      'database.systemdUnit',
      'stopComand',
      'stopCommand',
    ]);
    expect(r.stderr).toContain('token: is required');
    expect(r.stderr).toContain('stopComand: unknown field');

    const notJson = await prgAgent(['--config', writeConfig('{ "apiUrl": ')]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain('not valid JSON');
    const missing = await prgAgent([]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--config <file> is required');
  }, 20_000);

  it('self-fencing: with the control plane stopped, each agent stops its critical services after keepAliveTimeout and says why; when it answers again they start and both nodes are Normal', async () => {
    const prefix = `e2e-fence-${randomUUID().slice(0, 8)}`;
    const tokens = {
      PRG_ADMIN_TOKEN: `prg_admin_${randomUUID()}`,
      PRG_READ_TOKEN: `prg_read_${randomUUID()}`,
    };
    const startControlPlane = async (port: number) => {
      const cp = new Proc(['--import', 'tsx', 'test/e2e/support/agentControlPlane.ts'], {
        ...tokens,
        PORT: String(port),
        PRG_E2E_DYNAMO: inject('dynamoEndpoint'),
        PRG_E2E_PREFIX: prefix,
        POWERTOOLS_LOG_LEVEL: 'SILENT',
      });
      const url = await eventually(
        'the separate control plane to listen',
        async () => {
          const line = cp.stdout.split('\n').find((l) => l.startsWith('{'));
          if (!line && cp.child.exitCode !== null) throw new Error(cp.stderr);
          return line ? (JSON.parse(line) as { url: string }).url : undefined;
        },
        30_000,
      );
      return { cp, url };
    };
    let { cp, url } = await startControlPlane(0);
    const own = new Api({ url, adminToken: tokens.PRG_ADMIN_TOKEN, readToken: tokens.PRG_READ_TOKEN });
    const p = await startPair(own, url, 'fence');
    try {
      await waitForStates(own, p.group, NORMAL);
      // Each agent has heard that it is in an HA group (a node in none does not fence).
      await Promise.all([p.a, p.b].map((x) => x.line('state-changed', (l) => l.state === 'NORMAL')));
      cp.child.kill('SIGKILL');
      const stoppedAt = Date.now();
      await cp.exited;

      for (const agent of [p.a, p.b]) {
        const fenced = await agent.line('fencing-started', () => true, 15_000);
        expect(fenced.level).toBe('warn');
        expect(fenced.message).toMatch(
          /^No answer from the control plane for \d+ s: stopping critical services so that two nodes never serve the same users/,
        );
        // No later than keepAliveTimeout after the last acknowledged heartbeat (sent ≤ 1 s before the stop).
        expect(Date.parse(fenced.time) - stoppedAt).toBeLessThan((E2E_TIMERS.keepAliveTimeout + 1) * 1000);
        await agent.line('order-executed', (l) => l.order === 'stop' && l.cause === 'self-fencing');
        await agent.servicesAll('stopped');
        expect(agent.count('connection-lost')).toBe(1);
      }

      ({ cp, url } = await startControlPlane(Number(new URL(url).port)));
      for (const agent of [p.a, p.b]) {
        await agent.line('fencing-ended', () => true, 15_000);
        await agent.line('order-executed', (l) => l.order === 'start');
        await agent.servicesAll('running');
        expect(agent.count('order-executed', (l) => l.cause === 'self-fencing')).toBe(1);
      }
      await waitForStates(own, p.group, NORMAL);
    } finally {
      stopPair(p);
      cp.child.kill('SIGTERM');
    }
  }, 60_000);

  it('`npm run demo -- --scripted` plays a failover and a fallback on both groups and exits 0', async () => {
    const demo = new Proc(['--import', 'tsx', 'demo/demo.ts', '--scripted'], { PORT: '0' });
    const exit = await demo.exit(120_000);
    expect(exit, demo.stdout + demo.stderr).toEqual({ code: 0, signal: null });
    expect(demo.stdout).toContain('prg-1 imp-1a Normal → Failed Over with Critical Services not Running');
    expect(demo.stdout).toMatch(/✔ prg-1 failed over \d+ s after the service stopped/);
    expect(demo.stdout).toContain('✔ prg-1 fell back: both nodes Normal, users home.');
    expect(demo.stdout).toContain('imp-2a agent: Stopped the critical services: order stop');
    expect(demo.stdout).toContain('✔ prg-2 fell back: imp-2a started its services, both nodes Normal.');
    expect(demo.stdout).toMatch(/Scripted demo done in \d+ s/);
  }, 130_000);
});
