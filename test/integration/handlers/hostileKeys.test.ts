import { beforeEach, describe, expect, it } from 'vitest';
import { apiHarness, type ApiHarness } from '../../support/apiHarness';
import { beat, expectProblem, normalPair, states } from '../../support/apiPair';

/** Service names that a plain object already answers to through Object.prototype. */
const INHERITED_NAMES = ['toString', 'constructor', 'valueOf', 'hasOwnProperty'] as const;

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
});

describe('critical services named like members of Object.prototype', () => {
  it.each(INHERITED_NAMES)(
    '%s: heartbeats are answered, and its outage fails over like any other service',
    async (name) => {
      const { a, b } = await normalPair(h);
      const patched = await h.call('PATCH', '/v1/clusters/c1/parameters', {
        body: { criticalServices: [name, 'Cisco SIP Proxy'] },
      });
      expect(patched.status).toBe(200);
      for (const n of [a, b]) n.services = { [name]: 'running', 'Cisco SIP Proxy': 'running' };

      // Steady with the new list: every heartbeat answered, both still NORMAL.
      for (let s = 0; s < 4; s++) {
        h.clock.t += 1000;
        for (const n of [a, b]) {
          const res = await beat(h, n);
          expect(res.status, JSON.stringify(res.body)).toBe(200);
          expect(res.body.state).toBe('NORMAL');
        }
      }

      a.services[name] = 'stopped';
      h.clock.t += 1000;
      const first = await beat(h, a);
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      expect(first.body.state).toBe('NORMAL'); // recorded, not yet past criticalServiceDelay (2 s)
      expect((await beat(h, b)).status).toBe(200);
      h.clock.t += 2000;
      expect((await beat(h, b)).status).toBe(200);
      const res = await beat(h, a);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({
        state: 'FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING',
        reason: 'CRITICAL_SERVICE_DOWN',
      });
      expect(await states(h)).toEqual([
        ['FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING', 'CRITICAL_SERVICE_DOWN'],
        ['TAKING_OVER', 'CRITICAL_SERVICE_DOWN'],
      ]);
      expect(h.started()).toEqual([
        expect.objectContaining({ workflow: 'TAKE_OVER', fromNode: 'imp-a', toNode: 'imp-b' }),
      ]);
      const view = await h.call('GET', '/v1/groups/prg-1', { scopes: ['prg/read'] });
      expect(view.status).toBe(200);
      const node = await h.call('GET', '/v1/nodes/imp-a', { scopes: ['prg/read'] });
      expect(node.status).toBe(200);
    },
  );

  it('__proto__ is refused as a critical service, since no heartbeat can carry it', async () => {
    await normalPair(h);
    const res = await h.call('PATCH', '/v1/clusters/c1/parameters', {
      body: { criticalServices: ['__proto__', 'Cisco SIP Proxy'] },
    });
    expectProblem(res, 400, ['criticalServices.0']);
    expect(res.body.errors[0].message).toContain('__proto__');
  });
});
