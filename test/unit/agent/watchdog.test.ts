import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Agent } from '../../../agent/agent';
import type { HeartbeatOutcome } from '../../../agent/api';
import { parseConfig } from '../../../agent/config';
import { systemdNotifier, watchdogIntervalMs } from '../../../agent/watchdog';
import { FakeClock } from './support/fakeClock';
import { answer, memoryLog, RecordingServices } from './support/fakes';

/**
 * Issue 9 defect 10: if the agent itself dies or hangs, the node must fence as a
 * partitioned one does. The agent feeds systemd's watchdog through `systemd-notify` child
 * processes while its heartbeat loop runs; here a stand-in `systemd-notify` on PATH
 * records what it was asked to send.
 */
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A PATH whose `systemd-notify` appends its argument to a file. */
function standIn(): { env: NodeJS.ProcessEnv; sent: () => string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'prg-notify-'));
  dirs.push(dir);
  const record = join(dir, 'sent.txt');
  const script = join(dir, 'systemd-notify');
  writeFileSync(script, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${record}'\n`);
  chmodSync(script, 0o755);
  return {
    env: {
      PATH: `${dir}${delimiter}${process.env.PATH ?? ''}`,
      NOTIFY_SOCKET: '/run/systemd/notify',
      WATCHDOG_USEC: '2000000',
    },
    sent: () => (existsSync(record) ? readFileSync(record, 'utf8').trim().split('\n') : []),
  };
}

/**
 * The record once the stand-in's children have finished writing: the same for 200 ms
 * (real time, bounded). Each send is its own process, so lines land late on a busy machine.
 */
async function settled(sent: () => string[]): Promise<string[]> {
  let last = sent().length;
  let still = 0;
  for (let i = 0; i < 250 && still < 10; i++) {
    await new Promise((r) => setTimeout(r, 20));
    const now = sent().length;
    still = now === last ? still + 1 : 0;
    last = now;
  }
  return sent();
}

/** Waits (real time, bounded) until `predicate` holds for the stand-in's record. */
async function until(sent: () => string[], predicate: (lines: string[]) => boolean): Promise<string[]> {
  for (let i = 0; i < 100; i++) {
    if (predicate(sent())) return sent();
    await new Promise((r) => setTimeout(r, 20));
  }
  return sent();
}

function agentUnder(env: NodeJS.ProcessEnv) {
  const clock = new FakeClock();
  let hang = false;
  const parsed = parseConfig(
    {
      apiUrl: 'http://control-plane.invalid',
      nodeId: 'imp-1a',
      token: 'secret',
      keepAliveTimeoutSeconds: 10,
    },
    { simulate: true },
  );
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  const agent = new Agent({
    config: parsed.config,
    services: new RecordingServices(),
    clock,
    env,
    writeLog: () => undefined,
    sendHeartbeat: (): Promise<HeartbeatOutcome> =>
      // A hung agent: a heartbeat that never ends (a stuck promise, a deadlock).
      hang
        ? new Promise(() => undefined)
        : Promise.resolve({ kind: 'answered', answer: answer({ nextHeartbeatSeconds: 1 }) }),
  });
  return { agent, clock, hang: () => void (hang = true) };
}

describe('issue 9 defect 10: a dead or hung agent fences its node through systemd', () => {
  it('sends READY=1 at start and WATCHDOG=1 while its heartbeat loop runs, through systemd-notify', async () => {
    const { env, sent } = standIn();
    const { agent, clock } = agentUnder(env);
    await agent.start();
    await clock.advance(3_000); // WatchdogSec 2 s: fed every second
    const lines = await until(sent, (l) => l.filter((x) => x === 'WATCHDOG=1').length >= 3);
    // Sent once; its line may land after the first WATCHDOG=1's (each send is a process of its own).
    expect(lines.filter((x) => x === 'READY=1')).toEqual(['READY=1']);
    expect(lines.filter((x) => x === 'WATCHDOG=1').length).toBeGreaterThanOrEqual(3);
    agent.halt();
  });

  it('stops feeding the watchdog when its heartbeat loop hangs, so that systemd kills it and fences', async () => {
    const { env, sent } = standIn();
    const { agent, clock, hang } = agentUnder(env);
    await agent.start();
    await clock.advance(2_000);
    hang();
    // The loop may be stuck for its interval and keepAliveTimeout before it counts as hung.
    await clock.advance(15_000);
    const fedBefore = (await settled(sent)).filter((x) => x === 'WATCHDOG=1').length;
    await clock.advance(10_000);
    const fedAfter = (await settled(sent)).filter((x) => x === 'WATCHDOG=1').length;
    expect(fedBefore).toBeGreaterThan(0);
    expect(fedAfter).toBe(fedBefore);
    agent.halt();
  }, 20_000);

  it('sends nothing, and spawns nothing, without NOTIFY_SOCKET (not under systemd)', () => {
    expect(systemdNotifier({ PATH: '/nonexistent' }, memoryLog())).toBeNull();
    expect(watchdogIntervalMs({})).toBeNull();
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '30000000' })).toBe(15_000);
    // The watchdog is another process's (WATCHDOG_PID names it): not ours to feed.
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '1' }, 2)).toBeNull();
  });

  it('a missing systemd-notify is logged once, saying what will happen and what to install', async () => {
    const log = memoryLog();
    const notifier = systemdNotifier({ PATH: '/nonexistent', NOTIFY_SOCKET: '/run/systemd/notify' }, log);
    notifier?.notify('READY=1');
    notifier?.notify('WATCHDOG=1');
    for (let i = 0; i < 50 && log.lines.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 50));
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]?.message).toMatch(/systemd-notify/);
  });
});

const UNIT = readFileSync('agent/systemd/prg-agent.service', 'utf8');
const FENCE = readFileSync('agent/systemd/prg-agent-fence.service', 'utf8');

/** `Key=value` lines of a unit file's section. */
function section(unit: string, name: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  let current = '';
  for (const raw of unit.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = header[1]!;
      continue;
    }
    const eq = line.indexOf('=');
    if (current === name && eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

describe('issue 9 defect 10: the systemd units shipped in agent/systemd/', () => {
  it('prg-agent.service: notify with a watchdog, notifications from child processes, fence on failure', () => {
    const unit = section(UNIT, 'Unit');
    const service = section(UNIT, 'Service');
    expect(service.Type).toBe('notify');
    expect(service.NotifyAccess).toBe('all');
    expect(Number.parseInt(service.WatchdogSec ?? '', 10)).toBeGreaterThan(0);
    expect(unit.OnFailure).toBe('prg-agent-fence.service');
    // With Restart= systemd restarts a dead agent without entering "failed": no fence.
    expect(service.Restart ?? 'no').toBe('no');
    expect(service.ExecStart).toMatch(/prg-agent\.mjs --config \S+/);
  });

  it("prg-agent-fence.service: runs the node's stop command (prg-agent fence), then starts the agent again", () => {
    const service = section(FENCE, 'Service');
    expect(service.Type).toBe('oneshot');
    expect(service.ExecStart).toMatch(/prg-agent\.mjs fence --config \S+/);
    expect(service.ExecStartPost).toMatch(/systemctl --no-block start prg-agent\.service/);
  });

  const analyze = (() => {
    try {
      execFileSync('systemd-analyze', ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  it.runIf(analyze)(
    'systemd-analyze verify finds nothing wrong in either unit (where systemd-analyze exists)',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'prg-units-'));
      dirs.push(dir);
      for (const name of ['prg-agent.service', 'prg-agent-fence.service'])
        writeFileSync(join(dir, name), readFileSync(`agent/systemd/${name}`, 'utf8'));
      // Warnings (an unknown key, a bad value) go to stderr even when it exits 0.
      const run = spawnSync(
        'systemd-analyze',
        ['verify', '--man=no', join(dir, 'prg-agent.service'), join(dir, 'prg-agent-fence.service')],
        { encoding: 'utf8', timeout: 20_000 },
      );
      const output = `${run.stdout ?? ''}\n${run.stderr ?? ''}`;
      // Paths of the install (/opt/presence-ha, /usr/bin/node) do not exist here; anything else is a unit error.
      const problems = output
        .split('\n')
        .filter((l) => l.trim() !== '')
        .filter(
          (l) =>
            !/is not executable|No such file|not found|Failed to prepare filename|Command .* is not executable/i.test(
              l,
            ),
        );
      expect(problems).toEqual([]);
    },
  );
});
