import { beforeEach, describe, expect, it } from 'vitest';
import { apiHarness, type ApiHarness } from '../../support/apiHarness';
import { beat, expectProblem, normalPair, states } from '../../support/apiPair';

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
});

const READ = { scopes: ['prg/read'] };
const iso = (ms: number) => new Date(ms).toISOString();
const pause = (until: string, reason = 'patching imp-b') =>
  h.call('PUT', '/v1/groups/prg-1/maintenance', { body: { reason, until } });

describe('PUT /v1/groups/{name}/maintenance', () => {
  it('200 with the group view carrying the window; a second PUT replaces it; history and events say so', async () => {
    await normalPair(h);
    const until = iso(h.clock.t + 3_600_000);
    const res = await pause(until);
    expect(res.status).toBe(200);
    expect(res.body.maintenance).toEqual({ reason: 'patching imp-b', until, by: 'admin token' });
    const later = iso(h.clock.t + 7_200_000);
    const again = await pause(later, 'longer than planned');
    expect(again.body.maintenance).toEqual({
      reason: 'longer than planned',
      until: later,
      by: 'admin token',
    });
    const view = await h.call('GET', '/v1/groups/prg-1', READ);
    expect(view.body.maintenance.until).toBe(later);
    const started = h.published().filter((e) => e.detailType === 'MaintenanceStarted');
    expect(started.map((e) => e.reason)).toEqual(['patching imp-b', 'longer than planned']);
    const history = (await h.call('GET', '/v1/groups/prg-1/history', READ)).body.history;
    expect(history[0].cause).toContain('Maintenance started by admin token');
    expect(await states(h)).toEqual([
      ['NORMAL', 'NORMAL'],
      ['NORMAL', 'NORMAL'],
    ]);
  });

  it('400 naming until when it is past, over 7 days ahead or not a time, and naming reason when empty; nothing written', async () => {
    await normalPair(h);
    const before = (await h.call('GET', '/v1/groups/prg-1', READ)).body;
    expectProblem(await pause(iso(h.clock.t - 1000)), 400, ['until']);
    expectProblem(await pause(iso(h.clock.t + 7 * 86_400_000 + 1000)), 400, ['until']);
    expectProblem(await pause('tomorrow'), 400, ['until']);
    expectProblem(await pause(iso(h.clock.t + 60_000), ''), 400, ['reason']);
    expectProblem(
      await h.call('PUT', '/v1/groups/prg-1/maintenance', {
        body: { reason: 'x', until: iso(h.clock.t + 60_000), by: 'me' },
      }),
      400,
    );
    const after = (await h.call('GET', '/v1/groups/prg-1', READ)).body;
    expect(after.version).toBe(before.version);
    expect(after.maintenance).toBeNull();
    expectProblem(
      await h.call('PUT', '/v1/groups/prg-9/maintenance', {
        body: { reason: 'x', until: iso(h.clock.t + 60_000) },
      }),
      404,
    );
    expectProblem(
      await h.call('PUT', '/v1/groups/prg-1/maintenance', {
        ...READ,
        body: { reason: 'x', until: iso(h.clock.t + 60_000) },
      }),
      403,
    );
  });
});

describe('DELETE /v1/groups/{name}/maintenance', () => {
  it('204 ending the window, and 204 again when none is on', async () => {
    await normalPair(h);
    await pause(iso(h.clock.t + 3_600_000));
    expect((await h.call('DELETE', '/v1/groups/prg-1/maintenance')).status).toBe(204);
    expect((await h.call('GET', '/v1/groups/prg-1', READ)).body.maintenance).toBeNull();
    expect((await h.call('DELETE', '/v1/groups/prg-1/maintenance')).status).toBe(204);
    expect(h.published().filter((e) => e.detailType === 'MaintenanceEnded')).toEqual([
      expect.objectContaining({ group: 'prg-1', by: 'admin token' }),
    ]);
  });
});

describe('a maintenance window holds automatic failover back, and only that', () => {
  it('a silent node is shown Down and its peer left Normal; when the window ends, the peer takes over at once', async () => {
    const { a } = await normalPair(h);
    const until = h.clock.t + 30_000;
    expect((await pause(iso(until))).status).toBe(200);
    // imp-b falls silent for longer than any failover would wait; imp-a keeps beating.
    while (h.clock.t < until - 1000) {
      h.clock.t += 1000;
      await beat(h, a);
    }
    expect(await states(h)).toEqual([
      ['NORMAL', 'NORMAL'],
      ['DOWN', 'PEER_DOWN'],
    ]);
    expect(h.started()).toEqual([]);
    // The window runs out: the next heartbeat ends it and judges the group at once.
    h.clock.t = until + 500;
    await beat(h, a);
    const view = (await h.call('GET', '/v1/groups/prg-1', READ)).body;
    expect(view.maintenance).toBeNull();
    expect(view.operation).toMatchObject({ kind: 'TAKE_OVER', fromNode: 'imp-b', toNode: 'imp-a' });
    expect(h.started()).toEqual([expect.objectContaining({ workflow: 'TAKE_OVER', fromNode: 'imp-b' })]);
    expect(h.published().map((e) => e.detailType)).toEqual(
      expect.arrayContaining(['MaintenanceStarted', 'MaintenanceEnded', 'FailoverStarted']),
    );
    expect(h.published().find((e) => e.detailType === 'MaintenanceEnded')).toMatchObject({ by: null });
  });

  it('when nobody beats, the sweep ends the window at its time and the silence is judged then', async () => {
    await normalPair(h);
    const until = h.clock.t + 20_000;
    await pause(iso(until));
    h.clock.t = until + 1000;
    const sweep = await h.handlers.sweep({} as never, {} as never);
    expect(sweep).toBeDefined();
    const view = (await h.call('GET', '/v1/groups/prg-1', READ)).body;
    expect(view.maintenance).toBeNull();
    expect(view.nodes.map((n: { state: string }) => n.state)).toEqual(['UNKNOWN', 'UNKNOWN']);
  });

  it('manual failover still works during maintenance', async () => {
    await normalPair(h);
    await pause(iso(h.clock.t + 3_600_000));
    const f = await h.call('POST', '/v1/groups/prg-1/failover', { body: { nodeId: 'imp-a' } });
    expect(f.status).toBe(202);
    expect(h.started()).toEqual([expect.objectContaining({ workflow: 'TAKE_OVER', fromNode: 'imp-a' })]);
  });
});
