import { beforeEach, describe, expect, it } from 'vitest';
import { apiHarness, type ApiHarness } from '../../support/apiHarness';
import { beat, expectProblem, normalPair, registerNode } from '../../support/apiPair';

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
});

describe('a heartbeat from an older boot is taken as a restart', () => {
  it('a heartbeat delayed from before a restart is answered 409 STALE_BOOT and writes nothing', async () => {
    const { a, b } = await normalPair(h);
    const before = { ...a };
    // The agent restarts: a raised boot counter and a new bootId.
    a.boot += 1;
    a.bootId = 'imp-a-boot-2';
    a.sequence = 0;
    for (let i = 0; i < 2; i++) {
      h.clock.t += 1000;
      expect((await beat(h, a)).status).toBe(200);
      expect((await beat(h, b)).status).toBe(200);
    }
    const group = (await h.ports.groups.get('prg-1'))!;
    const history = await h.call('GET', '/v1/groups/prg-1/history', { scopes: ['prg/read'] });
    h.dynamoCalls.length = 0;
    // A packet of the old boot, delayed: its sequence is above anything the new boot sent.
    const stale = await beat(h, { ...before, sequence: 500 });
    expectProblem(stale, 409);
    expect(stale.body.code).toBe('STALE_BOOT');
    expect(stale.body.detail).toMatch(
      /boot 1 of node imp-a, older than boot 2 already heard; it was ignored and changed nothing\. .*the agent carries on/,
    );
    expect(h.dynamoCalls).not.toContain('PutItemCommand');
    expect(h.dynamoCalls).not.toContain('TransactWriteItemsCommand');
    expect(await h.ports.groups.get('prg-1')).toEqual(group);
    expect(await h.call('GET', '/v1/groups/prg-1/history', { scopes: ['prg/read'] })).toEqual(history);
    // The new boot carries on, on the one-write path.
    h.clock.t += 1000;
    h.dynamoCalls.length = 0;
    expect((await beat(h, a)).body).toMatchObject({ state: 'NORMAL', reason: 'NORMAL' });
    expect(h.dynamoCalls).toEqual(['UpdateItemCommand']);
  });

  it('a node in no group refuses an older boot too, so that it cannot seed a group later', async () => {
    const n = await registerNode(h, 'imp-c');
    n.boot = 4;
    expect((await beat(h, n)).status).toBe(200);
    const stale = await beat(h, { ...n, boot: 3, bootId: 'imp-c-old', sequence: 100 });
    expectProblem(stale, 409);
    expect(stale.body.code).toBe('STALE_BOOT');
  });

  it('a heartbeat without a boot is refused with 400 naming the field', async () => {
    const { a } = await normalPair(h);
    const res = await h.call('POST', '/v1/nodes/imp-a/heartbeat', {
      token: a.token,
      scopes: null,
      body: { bootId: a.bootId, sequence: 99, services: a.services, database: 'up' },
    });
    expectProblem(res, 400, ['boot']);
  });
});
