import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { TABLE_IDS } from '../../../lambdas/contract';
import { apiHarness, type ApiHarness } from '../../support/apiHarness';
import { beat, expectProblem, normalPair, states } from '../../support/apiPair';

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
});

const db = new DynamoDBClient({
  endpoint: inject('dynamoEndpoint'),
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});

/** Every item of every table of this harness, as text: what "nothing written" is checked against. */
async function everything(): Promise<string> {
  const tables = await Promise.all(
    TABLE_IDS.map(async (id) => {
      const items: string[] = [];
      let start: Record<string, never> | undefined;
      do {
        const page = await db.send(
          new ScanCommand({ TableName: h.tables[id], ConsistentRead: true, ExclusiveStartKey: start }),
        );
        for (const item of page.Items ?? []) items.push(JSON.stringify(item));
        start = page.LastEvaluatedKey as typeof start;
      } while (start);
      return `${id}: ${items.sort().join('\n')}`;
    }),
  );
  return tables.join('\n');
}

/** Runs `act` and checks that it wrote, started and published nothing. */
async function changesNothing<T>(act: () => Promise<T>): Promise<T> {
  const before = await everything();
  const started = h.started().length;
  const published = h.published().length;
  const result = await act();
  expect(await everything()).toBe(before);
  expect(h.started()).toHaveLength(started);
  expect(h.published()).toHaveLength(published);
  return result;
}

async function addUsers(n: number) {
  for (let i = 0; i < n; i++) {
    expect((await h.call('POST', '/v1/users', { body: { userId: `u${i}`, clusterId: 'c1' } })).status).toBe(
      201,
    );
  }
}

describe('dry runs of failover, fallback and recover', () => {
  it('failover: 200 with the states right after and at the end, the users that would move; nothing written', async () => {
    await normalPair(h);
    await addUsers(4);
    const aUsers = (await h.call('GET', '/v1/nodes/imp-a', { scopes: ['prg/read'] })).body.userCount;
    const res = await changesNothing(() =>
      h.call('POST', '/v1/groups/prg-1/failover', { body: { nodeId: 'imp-a', dryRun: true } }),
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      dryRun: true,
      kind: 'TAKE_OVER',
      nodes: [
        { nodeId: 'imp-a', state: 'FAILING_OVER', reason: 'ON_ADMIN_REQUEST' },
        { nodeId: 'imp-b', state: 'TAKING_OVER', reason: 'ON_ADMIN_REQUEST' },
      ],
      end: [
        { nodeId: 'imp-a', state: 'IDLE', reason: 'ON_ADMIN_REQUEST' },
        { nodeId: 'imp-b', state: 'RUNNING_IN_BACKUP_MODE', reason: 'ON_ADMIN_REQUEST' },
      ],
      usersToMove: aUsers,
    });
    // "dryRun": false is the real action.
    const real = await h.call('POST', '/v1/groups/prg-1/failover', {
      body: { nodeId: 'imp-a', dryRun: false },
    });
    expect(real.status).toBe(202);
  });

  it('a refused action answers the same 409 as the real one, and writes nothing', async () => {
    await normalPair(h);
    const f = await h.call('POST', '/v1/groups/prg-1/failover', { body: { nodeId: 'imp-a' } });
    expect(f.status).toBe(202);
    const dry = await changesNothing(() =>
      h.call('POST', '/v1/groups/prg-1/failover', { body: { nodeId: 'imp-b', dryRun: true } }),
    );
    const real = await h.call('POST', '/v1/groups/prg-1/failover', { body: { nodeId: 'imp-b' } });
    expectProblem(dry, 409);
    expect(dry.body).toEqual(real.body);
    const recover = await h.call('POST', '/v1/groups/prg-1/recover', { body: { dryRun: true } });
    expectProblem(recover, 409);
    expect(recover.body.code).toBe('OPERATION_IN_PROGRESS');
  });

  it('fallback and recover: their ends, nothing written; 400 naming dryRun when it is not a boolean', async () => {
    const { a, b } = await normalPair(h);
    const f = await h.call('POST', '/v1/groups/prg-1/failover', { body: { nodeId: 'imp-a' } });
    // imp-a obeys its stop order, as its agent would.
    for (const service of Object.keys(a.services)) a.services[service] = 'stopped';
    for (let s = 0; s < 30; s++) {
      const group = (await h.call('GET', '/v1/groups/prg-1', { scopes: ['prg/read'] })).body;
      if (!group.operation) break;
      if (group.operation.phase === 'MOVE_USERS')
        await h.runTask({ task: 'moveUsers', group: 'prg-1', operationId: f.body.operation.id });
      h.clock.t += 1000;
      await beat(h, a);
      await beat(h, b);
    }
    expect((await states(h)).map(([s]) => s)).toEqual(['IDLE', 'RUNNING_IN_BACKUP_MODE']);
    const back = await changesNothing(() =>
      h.call('POST', '/v1/groups/prg-1/fallback', { body: { nodeId: 'imp-a', dryRun: true } }),
    );
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({
      kind: 'FALL_BACK',
      nodes: [{ state: 'TAKING_BACK' }, { state: 'FALLING_BACK' }],
      end: [{ state: 'NORMAL' }, { state: 'NORMAL' }],
    });
    expectProblem(
      await h.call('POST', '/v1/groups/prg-1/fallback', { body: { nodeId: 'imp-a', dryRun: 'yes' } }),
      400,
      ['dryRun'],
    );
    expectProblem(await h.call('POST', '/v1/groups/prg-1/recover', { body: { dryRun: 1 } }), 400, ['dryRun']);
    // Recovery needs both nodes failed: refused as a dry run exactly as for real.
    const recover = await changesNothing(() =>
      h.call('POST', '/v1/groups/prg-1/recover', { body: { dryRun: true } }),
    );
    expectProblem(recover, 409);
    expect(recover.body.code).toBe('STATE_CONFLICT');
    // Without a body, recover is the real action as before.
    expectProblem(await h.call('POST', '/v1/groups/prg-1/recover'), 409);
  });

  it('recover with the JSON body `null` is refused (400), not taken for "no body" and acted on', async () => {
    await normalPair(h);
    const refused = await changesNothing(() =>
      h.call('POST', '/v1/groups/prg-1/recover', { rawBody: 'null' }),
    );
    expectProblem(refused, 400);
    expect(refused.body.detail).toContain('body');
  });
});
