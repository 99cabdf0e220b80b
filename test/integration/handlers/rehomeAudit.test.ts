/**
 * A re-home is an admin action like a failover: whoever asked for it is named in the
 * group's history and on the bus, and its events go through the outbox like a state
 * change's, each with its idempotency key. (Before, POST /rehome published nothing and its
 * history line named nobody.)
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { apiHarness, type ApiHarness } from '../../support/apiHarness';
import { normalPair } from '../../support/apiPair';
import { obeyStop } from '../../support/obeyStopApi';

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
});

const READ = { scopes: ['prg/read'] };
const history = async () =>
  (await h.call('GET', '/v1/groups/prg-1/history', { ...READ, query: { limit: '100' } })).body.history as {
    nodeId: string;
    from: string | null;
    to: string | null;
    cause: string;
    by?: string;
  }[];

/**
 * imp-a is failed over by hand (it obeys its stop order) and imp-b serves its users in
 * backup mode: the state a re-home starts from, as after a node that died for good.
 */
async function failedOver() {
  const { a } = await normalPair(h);
  for (const userId of ['u1', 'u2', 'u3', 'u4']) {
    expect((await h.call('POST', '/v1/users', { body: { userId, clusterId: 'c1' } })).status).toBe(201);
  }
  expect((await h.call('POST', '/v1/groups/prg-1/failover', { body: { nodeId: 'imp-a' } })).status).toBe(202);
  await obeyStop(h, a);
  const group = (await h.call('GET', '/v1/groups/prg-1', READ)).body;
  expect(group.operation?.phase).toBe('MOVE_USERS');
  await h.runTask({ task: 'moveUsers', group: 'prg-1', operationId: group.operation.id });
  const after = (await h.call('GET', '/v1/groups/prg-1', READ)).body;
  expect(after.failedOver).toBe('imp-a');
  expect(after.operation).toBeNull();
}

describe('defect: a re-home published no event and its history lines named nobody', () => {
  it('POST /rehome by a Cognito user: RehomeStarted with by, history lines with by, then RehomeCompleted', async () => {
    await failedOver();
    const users = (await h.call('GET', '/v1/nodes/imp-a', READ)).body.userCount as number;
    expect(users).toBeGreaterThan(0);
    const before = (await history()).length;
    const publishedBefore = h.published().length;

    const res = await h.call('POST', '/v1/groups/prg-1/rehome', {
      body: { nodeId: 'imp-a' },
      claims: { 'cognito:username': 'alice', client_id: 'console' },
    });
    expect(res.status).toBe(202);
    const { operationId } = res.body as { operationId: string };

    // One line per node, states unchanged, naming the caller and the operation.
    const started = (await history()).slice(0, (await history()).length - before);
    expect(started.map((l) => l.nodeId).sort()).toEqual(['imp-a', 'imp-b']);
    for (const line of started) {
      expect(line.by).toBe('user alice');
      expect(line.from).toBe(line.to);
      expect(line.cause).toContain(`Re-home ${operationId} requested by user alice`);
    }
    const events = h.published().slice(publishedBefore);
    expect(events).toEqual([
      expect.objectContaining({
        detailType: 'RehomeStarted',
        group: 'prg-1',
        operationId,
        fromNode: 'imp-a',
        toNode: 'imp-b',
        users,
        by: 'user alice',
        // Delivered from the outbox: with an idempotency key like every state change's event.
        eventId: expect.stringMatching(/^prg-1:\d+:0$/),
      }),
    ]);

    // The workflow's pages; the last records the end, naming the operation.
    for (let page = 0; page < 20; page++) {
      const result = (await h.runTask({
        task: 'rehomeUsers',
        group: 'prg-1',
        operationId,
        fromNode: 'imp-a',
        toNode: 'imp-b',
      })) as { outcome: string };
      if (result.outcome !== 'moving') break;
    }
    expect(h.published().filter((e) => e.detailType === 'RehomeCompleted')).toEqual([
      expect.objectContaining({ group: 'prg-1', operationId, fromNode: 'imp-a', toNode: 'imp-b' }),
    ]);
    const [last] = await history();
    expect(last!.cause).toContain(`Re-home ${operationId}: every user whose home was imp-a now has imp-b`);
  });

  it('an automation client is named by its app client; the embedded admin token as "admin token"', async () => {
    await failedOver();
    const res = await h.call('POST', '/v1/groups/prg-1/rehome', {
      body: { nodeId: 'imp-a' },
      claims: { client_id: '3abcclient', sub: '3abcclient' },
    });
    expect(res.status).toBe(202);
    expect((await history())[0]).toMatchObject({ by: 'client 3abcclient' });
    await h.call('POST', '/v1/groups/prg-1/rehome', { body: { nodeId: 'imp-a' } });
    expect((await history())[0]).toMatchObject({ by: 'admin token' });
  });

  it('a refused re-home records nothing and publishes nothing', async () => {
    await normalPair(h);
    const before = (await history()).length;
    const publishedBefore = h.published().length;
    expect((await h.call('POST', '/v1/groups/prg-1/rehome', { body: { nodeId: 'imp-a' } })).status).toBe(409);
    expect((await history()).length).toBe(before);
    expect(h.published().length).toBe(publishedBefore);
  });
});
