import { beforeEach, describe, expect, it } from 'vitest';
import { apiHarness, type ApiHarness } from '../../support/apiHarness';
import { beat, normalPair } from '../../support/apiPair';

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
});

const history = async () =>
  (await h.call('GET', '/v1/groups/prg-1/history', { query: { limit: '100' } })).body.history as {
    nodeId: string;
    to: string | null;
    cause: string;
    by?: string;
  }[];

describe('every admin action is recorded with who asked for it', () => {
  it('a failover by a Cognito user: its history lines and events name the user', async () => {
    await normalPair(h);
    const before = (await history()).length;
    const res = await h.call('POST', '/v1/groups/prg-1/failover', {
      body: { nodeId: 'imp-a' },
      claims: { 'cognito:username': 'alice', client_id: 'console' },
    });
    expect(res.status).toBe(202);
    const after = await history();
    const lines = after.slice(0, after.length - before);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.by === 'user alice')).toBe(true);
    const started = h.published().filter((e) => e.detailType === 'FailoverStarted');
    expect(started).toEqual([expect.objectContaining({ by: 'user alice', fromNode: 'imp-a' })]);
  });

  it('an automation client is named by its app client; the embedded admin token as "admin token"', async () => {
    await normalPair(h);
    await h.call('PATCH', '/v1/groups/prg-1', {
      body: { highAvailability: false },
      claims: { client_id: '3abcclient', sub: '3abcclient' },
    });
    expect((await history())[0]).toMatchObject({ by: 'client 3abcclient' });
    await h.call('PATCH', '/v1/groups/prg-1', { body: { highAvailability: true } });
    expect((await history())[0]).toMatchObject({ by: 'admin token' });
  });

  it('what the control plane decides on its own names nobody', async () => {
    const { a } = await normalPair(h);
    // imp-b falls silent: imp-a's heartbeats find it Down after keepAliveTimeout.
    for (let s = 0; s < 40; s++) {
      h.clock.t += 1000;
      await beat(h, a);
    }
    const lines = await history();
    const automatic = lines.filter((l) => l.nodeId === 'imp-b' && l.to !== 'NORMAL');
    expect(automatic.length).toBeGreaterThan(0);
    expect(automatic.every((l) => l.by === undefined)).toBe(true);
  });
});
