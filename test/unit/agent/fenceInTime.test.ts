import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HeartbeatBody } from '../../../lambdas/core';
import { Agent } from '../../../agent/agent';
import type { HeartbeatOutcome } from '../../../agent/api';
import { systemClock } from '../../../agent/clock';
import { parseConfig } from '../../../agent/config';
import { Fence } from '../../../agent/fencing';
import { Orders } from '../../../agent/orders';
import { FakeClock } from './support/fakeClock';
import { answer, flush, memoryLog, RecordingServices } from './support/fakes';

const TIMEOUT_S = 30;
const STOP_S = 5;

/** An agent on a fake clock whose control plane answers until `silent` is set. */
function agentWith(services: RecordingServices) {
  const clock = new FakeClock();
  const sent: number[] = [];
  let silent = false;
  const parsed = parseConfig(
    {
      apiUrl: 'http://control-plane.invalid',
      nodeId: 'imp-1a',
      token: 'secret',
      keepAliveTimeoutSeconds: TIMEOUT_S,
      stopTimeSeconds: STOP_S,
    },
    { simulate: true },
  );
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  const agent = new Agent({
    config: parsed.config,
    services,
    clock,
    writeLog: () => undefined,
    sendHeartbeat: async (_body: HeartbeatBody): Promise<HeartbeatOutcome> => {
      if (silent) return { kind: 'unreachable', detail: 'ECONNREFUSED' };
      sent.push(clock.now());
      return {
        kind: 'answered',
        answer: answer({ nextHeartbeatSeconds: 5, keepAliveTimeoutSeconds: TIMEOUT_S }),
      };
    },
  });
  return { agent, clock, sent, goSilent: () => void (silent = true) };
}

const agents: { agent: Agent; clock: FakeClock }[] = [];
afterEach(async () => {
  for (const { agent, clock } of agents.splice(0)) {
    agent.halt();
    await clock.advance(1_000);
  }
  vi.useRealTimers();
});

describe('issue 9 defect 6: self-fencing stops the services before the peer may take the users', () => {
  it('the fence pre-empts the one-at-a-time queue: a running start is killed and the stop begins at once', async () => {
    const services = new RecordingServices();
    services.hold = true;
    const orders = new Orders(services, memoryLog(), () => undefined);
    orders.obey(answer({ state: 'TAKING_BACK', serviceOrder: 'start', epoch: 3 }), false);
    await flush();
    expect(services.calls).toEqual(['start']);

    orders.fence();
    await flush();
    // Before the fix the stop waited behind the start, for up to commandTimeoutSeconds.
    expect(services.calls).toEqual(['start', 'start killed', 'stop']);
    services.release();
    await orders.idle();
    expect(services.calls).toEqual(['start', 'start killed', 'stop', 'stop done']);
    expect(services.running).toBe(false);
  });

  it('commands queued behind the running one are dropped by the fence: nothing starts after the fence stop', async () => {
    const services = new RecordingServices();
    services.hold = true;
    const log = memoryLog();
    const orders = new Orders(services, log, () => undefined);
    orders.obey(answer({ serviceOrder: 'stop', epoch: 2 }), false);
    orders.obey(answer({ serviceOrder: 'start', epoch: 4 }), false);
    await flush();
    orders.fence();
    services.release(); // the running stop ends
    await flush();
    services.release(); // the fence's stop ends
    await orders.idle();
    expect(services.calls).toEqual(['stop', 'stop done', 'stop', 'stop done']);
    expect(log.lines.map((l) => l.event)).toContain('order-dropped');
  });

  it('the agent fences its declared stop time before keepAliveTimeout, although a long start is running', async () => {
    const services = new RecordingServices();
    const { agent, clock, sent, goSilent } = agentWith(services);
    agents.push({ agent, clock });
    await agent.start();
    await clock.advance(6_000);
    const lastAcknowledged = sent.at(-1)!;
    // A start that would run for minutes, and then the control plane goes quiet.
    services.hold = true;
    services.running = false;
    goSilent();
    void services.start();

    await clock.advanceTo(lastAcknowledged + (TIMEOUT_S - STOP_S) * 1000 - 1);
    expect(services.count('stop')).toBe(0);
    await clock.advance(1);
    // The stop has begun STOP_S before the control plane may move the users.
    expect(services.count('stop')).toBe(1);
  });

  it("takes the control plane's fenceAfterSeconds (its stop time and clock slack) once it answers", async () => {
    const clock = new FakeClock();
    let firedAt: number | null = null;
    const fence = new Fence(30_000, () => ((firedAt = clock.now()), true), clock, 5_000);
    fence.arm();
    const sentAt = clock.now();
    fence.acknowledged(sentAt, 30_000, 21_400);
    await clock.advanceTo(sentAt + 21_399);
    expect(firedAt).toBeNull();
    await clock.advance(1);
    expect(firedAt).toBe(sentAt + 21_400);
  });

  it('a fence counts on a monotonic clock: the wall clock stepped back an hour does not postpone it', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const before = systemClock.now();
    vi.setSystemTime(Date.now() - 3_600_000);
    expect(systemClock.now()).toBeGreaterThanOrEqual(before);

    // And the fence reads only the clock it is given.
    const clock = new FakeClock();
    let firedAt: number | null = null;
    const fence = new Fence(10_000, () => ((firedAt = clock.now()), true), clock, 2_000);
    fence.arm();
    vi.setSystemTime(Date.now() + 86_400_000);
    await clock.advance(8_000);
    expect(firedAt).toBe(clock.now());
    fence.disarm();
  });
});
