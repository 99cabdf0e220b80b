import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HeartbeatBody } from '../../../lambdas/core';
import { Agent } from '../../../agent/agent';
import type { HeartbeatOutcome } from '../../../agent/api';
import {
  BootCounterError,
  FileBootCounter,
  MemoryBootCounter,
  defaultStateFile,
  raiseBootCounter,
  readBootCounter,
  stateFileFor,
} from '../../../agent/bootCounter';
import { parseConfig } from '../../../agent/config';
import type { LogLine } from '../../../agent/log';
import { FakeClock } from './support/fakeClock';
import { answer, RecordingServices } from './support/fakes';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'prg-boot-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('the boot counter in the agent state file', () => {
  it('starts at 0 on the first start and grows by one at every start', () => {
    const file = join(dir, 'agent.state.json');
    expect(raiseBootCounter(file)).toBe(0);
    expect(raiseBootCounter(file)).toBe(1);
    expect(new FileBootCounter(file).current).toBe(2);
    expect(readBootCounter(file)).toBe(2);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ boot: 2 });
  });

  it('writes through a temporary file renamed over the old one, leaving nothing else behind', () => {
    const file = join(dir, 'agent.state.json');
    raiseBootCounter(file);
    raiseBootCounter(file);
    expect(readdirSync(dir)).toEqual(['agent.state.json']);
  });

  it('creates the directory of a configured state file that does not exist yet', () => {
    const file = join(dir, 'var', 'lib', 'prg-agent', 'state.json');
    expect(raiseBootCounter(file)).toBe(0);
    expect(readBootCounter(file)).toBe(0);
  });

  it.each([
    ['not JSON', '{"boot": 4'],
    ['no boot', '{}'],
    ['a negative boot', '{"boot": -1}'],
    ['a fraction', '{"boot": 2.5}'],
    ['a string', '{"boot": "3"}'],
    ['null', 'null'],
    ['empty', ''],
  ])(
    'refuses a corrupt file (%s), saying what the operator should write, and leaves it as it was',
    (_, text) => {
      const file = join(dir, 'agent.state.json');
      writeFileSync(file, text);
      expect(() => raiseBootCounter(file)).toThrow(BootCounterError);
      expect(() => raiseBootCounter(file)).toThrow(
        /is corrupt.*Write \{"boot": N\}.*date \+%s.*start the agent again/,
      );
      expect(readFileSync(file, 'utf8')).toBe(text);
    },
  );

  it('refuses a state file it cannot read (here a directory)', () => {
    const file = join(dir, 'agent.state.json');
    mkdirSync(file);
    expect(() => raiseBootCounter(file)).toThrow(/Cannot read the boot counter/);
  });

  it('refuses to start when the new boot cannot be stored', () => {
    const file = join(dir, 'agent.state.json');
    // The temporary file's name is taken by a directory, so that the write fails even as root.
    mkdirSync(`${file}.${process.pid}.tmp`);
    expect(() => raiseBootCounter(file)).toThrow(/Cannot store the boot counter/);
    expect(readBootCounter(file)).toBeNull();
  });

  it('lives beside the config file by default; a relative stateFile is read from the config directory', () => {
    const config = join(dir, 'etc', 'agent.json');
    expect(defaultStateFile(config)).toBe(join(dir, 'etc', 'agent.state.json'));
    expect(stateFileFor(config, undefined)).toBe(join(dir, 'etc', 'agent.state.json'));
    expect(stateFileFor(config, 'state/boot.json')).toBe(join(dir, 'etc', 'state', 'boot.json'));
    expect(stateFileFor(config, '/var/lib/prg/boot.json')).toBe('/var/lib/prg/boot.json');
  });

  it('accepts stateFile in the agent config', () => {
    const base = { apiUrl: 'http://cp.invalid', nodeId: 'imp-1a', token: 't' };
    const ok = parseConfig({ ...base, stateFile: '/var/lib/prg/boot.json' }, { simulate: true });
    expect(ok.ok && ok.config.stateFile).toBe('/var/lib/prg/boot.json');
    expect(parseConfig({ ...base, stateFile: '' }, { simulate: true })).toEqual({
      ok: false,
      errors: ['stateFile: must not be empty'],
    });
  });
});

describe('the agent sends its boot', () => {
  async function agentWith(counter: MemoryBootCounter) {
    const clock = new FakeClock();
    const received: HeartbeatBody[] = [];
    const lines: LogLine[] = [];
    let reply: () => HeartbeatOutcome = () => ({ kind: 'answered', answer: answer() });
    const parsed = parseConfig(
      { apiUrl: 'http://cp.invalid', nodeId: 'imp-1a', token: 't', keepAliveTimeoutSeconds: 12 },
      { simulate: true },
    );
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    const agent = new Agent({
      config: parsed.config,
      services: new RecordingServices(),
      clock,
      bootCounter: counter,
      sendHeartbeat: async (body) => {
        received.push(body);
        return reply();
      },
      writeLog: (line) => void lines.push(line),
    });
    await agent.start();
    return {
      agent,
      clock,
      received,
      lines,
      refuseWith: (outcome: HeartbeatOutcome) => (reply = () => outcome),
      stop: async () => {
        const stopped = agent.shutdown({ timeoutMs: 1_000 });
        await clock.advance(1_000);
        await stopped;
      },
    };
  }

  it('in every heartbeat, the boot its counter was raised to for this start', async () => {
    const a = await agentWith(new MemoryBootCounter(7));
    await a.clock.advance(10_000);
    expect(a.received.length).toBeGreaterThan(1);
    expect(new Set(a.received.map((b) => b.boot))).toEqual(new Set([7]));
    expect(a.lines.find((l) => l.event === 'agent-started')).toMatchObject({ boot: 7 });
    await a.stop();
  });

  it('a 409 STALE_BOOT is logged as a boot counter behind the control plane', async () => {
    const a = await agentWith(new MemoryBootCounter(2));
    a.refuseWith({
      kind: 'refused',
      status: 409,
      code: 'STALE_BOOT',
      detail: 'This heartbeat is from boot 2 of node imp-1a, older than boot 5 already heard',
    });
    await a.clock.advance(6_000);
    const refused = a.lines.find((l) => l.event === 'heartbeat-refused');
    expect(refused?.message).toMatch(/This agent sends boot 2: its boot counter is behind/);
    await a.stop();
  });
});
