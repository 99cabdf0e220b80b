import { beforeEach, describe, expect, it } from 'vitest';
import { apiHarness, type ApiHarness } from '../../support/apiHarness';
import { beat, expectProblem, registerNode, states } from '../../support/apiPair';

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
});

const patch = (body: Record<string, unknown>) => h.call('PATCH', '/v1/clusters/c1/parameters', { body });

/** A pair beating every 5 s with keepAliveTimeout 15, both NORMAL, at t0. */
async function slowPair() {
  expect(
    (await patch({ keepAliveInterval: 5, keepAliveTimeout: 15, initializationKeepAliveTimeout: 30 })).status,
  ).toBe(200);
  const a = await registerNode(h, 'imp-a');
  const b = await registerNode(h, 'imp-b');
  await beat(h, a);
  await beat(h, b);
  const g = await h.call('POST', '/v1/groups', {
    body: { name: 'prg-1', nodes: ['imp-a', 'imp-b'], highAvailability: true },
  });
  expect(g.status).toBe(201);
  // Both agents acknowledge the group, as prg-agent does within an interval.
  for (let i = 0; i < 2; i++) for (const agent of [a, b]) await beat(h, agent);
  return { a, b, t0: h.clock.t };
}

describe('changing keepAliveTimeout/keepAliveInterval causes false failovers and a split-brain window', () => {
  it('PATCH interval 1 / timeout 3 while a node is 4 s late: no node goes DOWN until the old timeout has run out', async () => {
    const { a, b, t0 } = await slowPair();
    h.clock.t = t0 + 4000;
    expect((await beat(h, a)).status).toBe(200);
    const res = await patch({ keepAliveInterval: 1, keepAliveTimeout: 3 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ keepAliveInterval: 1, keepAliveTimeout: 3 });
    expect(res.body.timerChange).toBeUndefined();
    expect(await states(h)).toEqual([
      ['NORMAL', 'NORMAL'],
      ['NORMAL', 'NORMAL'],
    ]);
    // b's agent was told 15 s at t0: it may serve until then. a keeps beating.
    for (let t = 5; t <= 14; t++) {
      h.clock.t = t0 + t * 1000;
      expect((await beat(h, a)).status).toBe(200);
    }
    expect(await states(h)).toEqual([
      ['NORMAL', 'NORMAL'],
      ['NORMAL', 'NORMAL'],
    ]);
    h.clock.t = t0 + 15_500;
    expect((await beat(h, a)).body).toMatchObject({ state: 'TAKING_OVER', reason: 'PEER_DOWN' });
    void b;
  });

  it('an answer from a warm function’s cached copy of the old timers still counts as the old timers', async () => {
    const { a, b, t0 } = await slowPair();
    h.clock.t = t0 + 1000;
    await beat(h, a); // fills the warm function's copy of the parameters (15 s)
    await beat(h, b);
    h.clock.t = t0 + 2000;
    expect((await patch({ keepAliveInterval: 1, keepAliveTimeout: 3 })).status).toBe(200);
    h.clock.t = t0 + 5000;
    const cached = await beat(h, a);
    // Computed from the copy: a's agent now fences 15 s after this heartbeat, not 3 s.
    expect(cached.body.keepAliveTimeoutSeconds).toBe(15);
    for (let t = 6; t <= 19; t++) {
      h.clock.t = t0 + t * 1000;
      await beat(h, b);
    }
    expect((await states(h))[0]).toEqual(['NORMAL', 'NORMAL']);
    h.clock.t = t0 + 20_500;
    expect((await beat(h, b)).body).toMatchObject({ state: 'TAKING_OVER', reason: 'PEER_DOWN' });
  });
});

describe('self-fencing stops too late', () => {
  it('the heartbeat answer says when the agent must begin to fence and how long its stop may take', async () => {
    expect((await patch({ serviceStopSeconds: 20 })).status).toBe(200);
    const n = await registerNode(h, 'imp-c');
    const res = await beat(h, n);
    expect(res.body).toMatchObject({
      keepAliveTimeoutSeconds: 60,
      serviceStopSeconds: 20,
      fenceAfterSeconds: 39.4,
    });
  });

  it('a stop time leaving less than two heartbeat intervals before the fence → 400 naming it; nothing stored', async () => {
    const before = await h.call('GET', '/v1/clusters/c1/parameters', { scopes: ['prg/read'] });
    const res = await patch({ serviceStopSeconds: 40 });
    expectProblem(res, 400, ['serviceStopSeconds']);
    expect(res.body.errors[0].message).toMatch(/less than two keepAliveInterval \(30 s\)/);
    const interval = await patch({ keepAliveInterval: 30 });
    expectProblem(interval, 400, ['keepAliveInterval']);
    const both = await patch({ keepAliveTimeout: 20, serviceStopSeconds: 10 });
    expectProblem(both, 400, ['keepAliveTimeout', 'serviceStopSeconds']);
    expect(await h.call('GET', '/v1/clusters/c1/parameters', { scopes: ['prg/read'] })).toEqual(before);
  });
});
