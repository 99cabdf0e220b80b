import { beforeEach, describe, expect, it } from 'vitest';
import { apiHarness, type ApiHarness } from '../../support/apiHarness';
import { beat, normalPair, states } from '../../support/apiPair';

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
});

describe('manual failover moves users before the failing node has stopped', () => {
  it('POST failover: the users stay on the failing node until its heartbeat reports its services stopped', async () => {
    const { a, b } = await normalPair(h);
    const f = await h.call('POST', '/v1/groups/prg-1/failover', { body: { nodeId: 'imp-a' } });
    expect(f.status).toBe(202);
    const operationId = f.body.operation.id as string;
    const check = () => h.runTask({ task: 'checkOperation', group: 'prg-1', operationId });
    expect(await check()).toMatchObject({ phase: 'AWAIT_STOP' });
    // A move now is refused by the domain: nothing changes hands.
    expect(await h.runTask({ task: 'moveUsers', group: 'prg-1', operationId })).toEqual({
      outcome: 'superseded',
      users: 0,
    });
    h.clock.t += 1000;
    expect((await beat(h, a)).body).toMatchObject({ state: 'FAILING_OVER', serviceOrder: 'stop' });
    await beat(h, b);
    expect(await check()).toMatchObject({ phase: 'AWAIT_STOP' });
    const group = await h.call('GET', '/v1/groups/prg-1', { scopes: ['prg/read'] });
    expect(group.body.operation).toMatchObject({ phase: 'AWAIT_STOP' });
    // The agent obeyed: its next heartbeat shows every critical service stopped.
    for (const s of Object.keys(a.services)) a.services[s] = 'stopped';
    h.clock.t += 1000;
    await beat(h, a);
    expect(await check()).toMatchObject({ phase: 'MOVE_USERS' });
    expect(await h.runTask({ task: 'moveUsers', group: 'prg-1', operationId })).toMatchObject({
      outcome: 'moved',
    });
    expect(await states(h)).toEqual([
      ['IDLE', 'ON_ADMIN_REQUEST'],
      ['RUNNING_IN_BACKUP_MODE', 'ON_ADMIN_REQUEST'],
    ]);
  });
});
