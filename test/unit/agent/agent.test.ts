import { afterEach, describe, expect, it } from 'vitest';
import type { HeartbeatBody } from '../../../lambdas/core';
import { Agent } from '../../../agent/agent';
import type { HeartbeatAnswer, HeartbeatOutcome } from '../../../agent/api';
import { parseConfig } from '../../../agent/config';
import type { LogLine } from '../../../agent/log';
import { FakeClock } from './support/fakeClock';
import { answer, events, RecordingServices } from './support/fakes';

const KEEP_ALIVE_TIMEOUT_S = 12;
/** The node's declared stop time: the fence starts the stop this long before the timeout. */
const STOP_TIME_S = 2;
/** When the fence fires, after the last acknowledged heartbeat was sent. */
const FENCE_AFTER_MS = (KEEP_ALIVE_TIMEOUT_S - STOP_TIME_S) * 1000;

/**
 * A control plane the test scripts: `reply` decides each heartbeat's outcome (an answer
 * by default), after `latencyMs` of the fake clock. It keeps every heartbeat it got.
 */
class ScriptedControlPlane {
  readonly received: { body: HeartbeatBody; at: number }[] = [];
  reply: () => HeartbeatOutcome = () => ({ kind: 'answered', answer: answer() });
  latencyMs = 0;

  constructor(private readonly clock: FakeClock) {}

  answerWith(fields: Partial<HeartbeatAnswer>): void {
    this.reply = () => ({ kind: 'answered', answer: answer(fields) });
  }

  goSilent(): void {
    this.reply = () => ({ kind: 'unreachable', detail: 'ECONNREFUSED' });
  }

  send = async (body: HeartbeatBody): Promise<HeartbeatOutcome> => {
    this.received.push({ body, at: this.clock.now() });
    const outcome = this.reply();
    if (this.latencyMs > 0)
      await new Promise<void>((resolve) => this.clock.setTimer(resolve, this.latencyMs));
    return outcome;
  };
}

const running: { agent: Agent; clock: FakeClock }[] = [];
afterEach(async () => {
  for (const { agent, clock } of running.splice(0)) {
    // A heartbeat still on its way is waited for on the fake clock: move it on.
    const stopped = agent.shutdown({ timeoutMs: 1_000 });
    await clock.advance(1_000);
    await stopped;
  }
});

function startAgent(options: { stopTimeSeconds?: number } = {}) {
  const clock = new FakeClock();
  const controlPlane = new ScriptedControlPlane(clock);
  const services = new RecordingServices();
  const lines: LogLine[] = [];
  // The services are injected, so the config needs none of a real node's checks and commands.
  const parsed = parseConfig(
    {
      apiUrl: 'http://control-plane.invalid',
      nodeId: 'imp-1a',
      token: 'secret',
      keepAliveTimeoutSeconds: KEEP_ALIVE_TIMEOUT_S,
      stopTimeSeconds: options.stopTimeSeconds ?? STOP_TIME_S,
    },
    { simulate: true },
  );
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  const agent = new Agent({
    config: parsed.config,
    services,
    clock,
    sendHeartbeat: controlPlane.send,
    writeLog: (line) => void lines.push(line),
  });
  running.push({ agent, clock });
  const started = clock.now();
  return { agent, clock, controlPlane, services, lines, started, start: () => agent.start() };
}

describe('prg-agent on a fake clock: heartbeats', () => {
  it('numbers its heartbeats 1, 2, 3… under one bootId, reporting the services it sees', async () => {
    const { clock, controlPlane, start } = startAgent();
    await start();
    await clock.advance(20_000);
    const bodies = controlPlane.received.map((r) => r.body);
    expect(bodies.map((b) => b.sequence)).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(bodies.map((b) => b.bootId)).size).toBe(1);
    expect(bodies[0]!.bootId).toMatch(/^imp-1a-/);
    expect(bodies[0]!.services).toEqual({ 'Cisco SIP Proxy': 'running', 'Cisco Presence Engine': 'running' });
    expect(bodies[0]!.database).toBe('up');
  });

  it('acknowledges in each heartbeat the group, incarnation and epoch of the last answer it heard (none before the first)', async () => {
    const { clock, controlPlane, start } = startAgent();
    controlPlane.answerWith({ incarnation: 'inc-1', epoch: 4 });
    await start();
    await clock.advance(5_000);
    controlPlane.answerWith({ group: null, incarnation: null, epoch: 0 });
    await clock.advance(10_000);
    const heard = controlPlane.received.map((r) => r.body.heard);
    expect(heard.slice(0, 3)).toEqual([
      null,
      { group: 'prg-1', incarnation: 'inc-1', epoch: 4 },
      { group: 'prg-1', incarnation: 'inc-1', epoch: 4 },
    ]);
    expect(heard.at(-1)).toEqual({ group: null, incarnation: null, epoch: 0 });
  });

  it('sends each heartbeat at the interval the control plane last answered with', async () => {
    const { clock, controlPlane, start, started } = startAgent();
    controlPlane.answerWith({ nextHeartbeatSeconds: 2 });
    await start();
    await clock.advance(5_000);
    controlPlane.answerWith({ nextHeartbeatSeconds: 7 });
    await clock.advance(20_000);
    expect(controlPlane.received.map((r) => r.at - started)).toEqual([
      0, 2_000, 4_000, 6_000, 13_000, 20_000,
    ]);
  });

  it('keeps counting through an outage: the sequence never restarts within a run', async () => {
    const { clock, controlPlane, start } = startAgent();
    await start();
    await clock.advance(5_000);
    controlPlane.goSilent();
    await clock.advance(30_000);
    controlPlane.answerWith({});
    await clock.advance(10_000);
    const sequences = controlPlane.received.map((r) => r.body.sequence);
    expect(sequences).toEqual(sequences.map((_, i) => i + 1));
    expect(new Set(controlPlane.received.map((r) => r.body.bootId)).size).toBe(1);
  });
});

describe('prg-agent on a fake clock: self-fencing', () => {
  it('stops the critical services its stop time before keepAliveTimeout after the last acknowledged heartbeat was sent', async () => {
    const { clock, controlPlane, services, lines, start } = startAgent();
    controlPlane.latencyMs = 1_500; // answers arrive late; the deadline counts from the send
    await start();
    await clock.advance(10_000);
    const lastAcknowledged = controlPlane.received.at(-1)!.at;
    controlPlane.goSilent();

    await clock.advanceTo(lastAcknowledged + FENCE_AFTER_MS - 1);
    expect(services.count('stop')).toBe(0);
    expect(services.running).toBe(true);

    await clock.advance(1);
    expect(services.calls).toEqual(['stop', 'stop done']);
    expect(services.running).toBe(false);
    expect(events(lines)).toContain('fencing-started');
    expect(lines.find((l) => l.event === 'fencing-started')).toMatchObject({
      level: 'warn',
      silentSeconds: KEEP_ALIVE_TIMEOUT_S - STOP_TIME_S,
      stopMarginSeconds: STOP_TIME_S,
    });

    await clock.advance(10 * KEEP_ALIVE_TIMEOUT_S * 1000);
    expect(services.count('stop')).toBe(1);
  });

  it('never fences while the control plane answers', async () => {
    const { clock, services, lines, start } = startAgent();
    await start();
    await clock.advance(10 * KEEP_ALIVE_TIMEOUT_S * 1000);
    expect(services.calls).toEqual([]);
    expect(events(lines)).not.toContain('fencing-started');
  });

  it('with answers refused (a 5xx), fences all the same: a refusal is no acknowledgement', async () => {
    const { clock, controlPlane, services, start, started } = startAgent();
    await start();
    controlPlane.reply = () => ({ kind: 'refused', status: 503, detail: 'Service Unavailable' });
    await clock.advanceTo(started + FENCE_AFTER_MS);
    expect(services.count('stop')).toBe(1);
  });

  it('when the control plane answers again with order leave, starts the services it stopped', async () => {
    const { clock, controlPlane, services, lines, start } = startAgent();
    await start();
    await clock.advance(1_000);
    controlPlane.goSilent();
    await clock.advance(KEEP_ALIVE_TIMEOUT_S * 1000 + 3_000);
    expect(services.running).toBe(false);

    controlPlane.answerWith({ serviceOrder: 'leave' });
    await clock.advance(5_000);
    expect(services.calls).toEqual(['stop', 'stop done', 'start', 'start done']);
    expect(services.running).toBe(true);
    expect(events(lines)).toContain('fencing-ended');

    await clock.advance(60_000);
    expect(services.count('start')).toBe(1);
  });

  it('when the control plane answers again with order stop (its peer took over), they stay stopped', async () => {
    const { clock, controlPlane, services, start } = startAgent();
    await start();
    await clock.advance(1_000);
    controlPlane.goSilent();
    await clock.advance(KEEP_ALIVE_TIMEOUT_S * 1000 + 3_000);
    controlPlane.answerWith({ state: 'FAILED_OVER', reason: 'PEER_DOWN', serviceOrder: 'stop', epoch: 3 });
    await clock.advance(60_000);
    expect(services.calls).toEqual(['stop', 'stop done']);
    expect(services.running).toBe(false);
  });

  it('a node in no HA group keeps serving through an outage: no peer could take its users', async () => {
    const { clock, controlPlane, services, start } = startAgent();
    controlPlane.answerWith({ group: null, state: null });
    await start();
    await clock.advance(1_000);
    controlPlane.goSilent();
    await clock.advance(5 * KEEP_ALIVE_TIMEOUT_S * 1000);
    expect(services.calls).toEqual([]);
  });

  it('after the control plane stops answering, the fencing deadline is its keepAliveTimeout when it sent one', async () => {
    const { clock, controlPlane, services, start } = startAgent({ stopTimeSeconds: 1 });
    controlPlane.answerWith({ keepAliveTimeoutSeconds: 4 });
    await start();
    await clock.advance(0);
    const lastAcknowledged = controlPlane.received.at(-1)!.at;
    controlPlane.goSilent();
    await clock.advanceTo(lastAcknowledged + 2_999);
    expect(services.count('stop')).toBe(0);
    await clock.advance(1);
    expect(services.count('stop')).toBe(1);
  });
});

describe('prg-agent on a fake clock: service orders', () => {
  it('runs an order once although every answer repeats it, and reports its effect at once', async () => {
    const { clock, controlPlane, services, start, started } = startAgent();
    controlPlane.answerWith({ state: 'IDLE', reason: 'MANUAL_FAILOVER', serviceOrder: 'stop', epoch: 4 });
    await start();
    await clock.advance(30_000);
    expect(services.calls).toEqual(['stop', 'stop done']);
    // The heartbeat after the stop goes out at once, not an interval later, and says stopped.
    const [first, second] = controlPlane.received;
    expect(second!.at - started).toBe(0);
    expect(first!.body.services['Cisco SIP Proxy']).toBe('running');
    expect(second!.body.services['Cisco SIP Proxy']).toBe('stopped');
  });

  it('runs stop then start, one at a time, when the order changes', async () => {
    const { clock, controlPlane, services, start } = startAgent();
    controlPlane.answerWith({ serviceOrder: 'stop', epoch: 4 });
    await start();
    await clock.advance(10_000);
    controlPlane.answerWith({ serviceOrder: 'start', epoch: 6 });
    await clock.advance(30_000);
    expect(services.calls).toEqual(['stop', 'stop done', 'start', 'start done']);
  });
});
