import { beforeEach, describe, expect, it } from 'vitest';
import { apiHarness, type ApiHarness } from '../../support/apiHarness';
import { beat, normalPair, states } from '../../support/apiPair';
import { obeyStart, obeyStop } from '../../support/obeyStopApi';

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
});

async function failedOverByHand() {
  const pair = await normalPair(h);
  const f = await h.call('POST', '/v1/groups/prg-1/failover', { body: { nodeId: 'imp-a' } });
  await obeyStop(h, pair.a);
  await h.runTask({ task: 'moveUsers', group: 'prg-1', operationId: f.body.operation.id });
  return pair;
}

describe('POST /v1/groups/{name}/failover', () => {
  it('202 with the operation; the workflow starts under a name that makes a retried start idempotent', async () => {
    await normalPair(h);
    const res = await h.call('POST', '/v1/groups/prg-1/failover', { body: { nodeId: 'imp-a' } });
    expect(res.status).toBe(202);
    // The id ends with the group's incarnation, so it never repeats after a delete and create.
    const id = res.body.operation.id as string;
    expect(id).toMatch(/^take-over-1-[0-9a-z]+$/);
    expect(res.body.operation).toEqual({
      id,
      kind: 'TAKE_OVER',
      fromNode: 'imp-a',
      toNode: 'imp-b',
    });
    const calls = h.sfn.commandCalls((await import('@aws-sdk/client-sfn')).StartExecutionCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toMatchObject({
      name: `prg-1--${id}`,
      stateMachineArn: expect.stringContaining('take-over'),
    });
    expect(await states(h)).toEqual([
      ['FAILING_OVER', 'ON_ADMIN_REQUEST'],
      ['TAKING_OVER', 'ON_ADMIN_REQUEST'],
    ]);
    expect(h.published().map((e) => e.detailType)).toContain('FailoverStarted');
    // Counted, with no detection latency: nothing failed, an operator asked.
    expect(h.metrics).toEqual([['Failovers', 1]]);
  });

  it('20 concurrent failover requests on one group: exactly one 202, the rest 409 with the current states', async () => {
    await normalPair(h);
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        h.call('POST', '/v1/groups/prg-1/failover', { body: { nodeId: 'imp-a' } }),
      ),
    );
    const codes = results.map((r) => r.status).sort();
    expect(codes.filter((c) => c === 202)).toHaveLength(1);
    expect(codes.filter((c) => c === 409)).toHaveLength(19);
    for (const r of results.filter((x) => x.status === 409)) {
      expect(r.contentType).toBe('application/problem+json');
      expect(r.body.states).toHaveLength(2);
    }
    expect(h.started()).toHaveLength(1);
    const group = await h.call('GET', '/v1/groups/prg-1');
    expect(group.body.operation.id).toMatch(/^take-over-1-[0-9a-z]+$/);
  });

  it('409 naming both states when a node is not Normal', async () => {
    await failedOverByHand();
    const res = await h.call('POST', '/v1/groups/prg-1/failover', { body: { nodeId: 'imp-b' } });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('STATE_CONFLICT');
    expect(res.body.states).toEqual([
      {
        nodeId: 'imp-a',
        state: 'IDLE',
        stateLabel: 'Idle',
        reason: 'ON_ADMIN_REQUEST',
        reasonLabel: 'On Admin Request',
      },
      {
        nodeId: 'imp-b',
        state: 'RUNNING_IN_BACKUP_MODE',
        stateLabel: 'Running in Backup Mode',
        reason: 'ON_ADMIN_REQUEST',
        reasonLabel: 'On Admin Request',
      },
    ]);
  });

  it('400 for a missing or malformed body, 404 for an unknown group or node, 403 for a read token', async () => {
    await normalPair(h);
    const missing = await h.call('POST', '/v1/groups/prg-1/failover', {});
    expect(missing.status).toBe(400);
    const malformed = await h.call('POST', '/v1/groups/prg-1/failover', { rawBody: '{"nodeId":' });
    expect(malformed.status).toBe(400);
    expect(malformed.contentType).toBe('application/problem+json');
    const unknown = await h.call('POST', '/v1/groups/nope/failover', { body: { nodeId: 'imp-a' } });
    expect(unknown.status).toBe(404);
    const notMember = await h.call('POST', '/v1/groups/prg-1/failover', { body: { nodeId: 'imp-z' } });
    expect(notMember.status).toBe(409);
    expect(notMember.body.code).toBe('NODE_NOT_IN_GROUP');
    const reader = await h.call('POST', '/v1/groups/prg-1/failover', {
      body: { nodeId: 'imp-a' },
      scopes: ['prg/read'],
    });
    expect(reader.status).toBe(403);
    const anonymous = await h.call('POST', '/v1/groups/prg-1/failover', {
      body: { nodeId: 'imp-a' },
      scopes: null,
    });
    expect(anonymous.status).toBe(401);
    // Without a token, a bad body is not looked at: 401, not 400.
    const anonymousBad = await h.call('POST', '/v1/groups/prg-1/failover', { rawBody: '{bad', scopes: null });
    expect(anonymousBad.status).toBe(401);
    const big = await h.call('POST', '/v1/groups/prg-1/failover', {
      rawBody: JSON.stringify({ nodeId: 'x'.repeat(300 * 1024) }),
    });
    expect(big.status).toBe(413);
    expect(await states(h)).toEqual([
      ['NORMAL', 'NORMAL'],
      ['NORMAL', 'NORMAL'],
    ]);
  });
});

describe('POST /v1/groups/{name}/fallback', () => {
  it('fallback to the idle node: Taking Back / Falling Back, its services ordered to start, then both Normal', async () => {
    const { a, b } = await failedOverByHand();
    const res = await h.call('POST', '/v1/groups/prg-1/fallback', { body: { nodeId: 'imp-a' } });
    expect(res.status).toBe(202);
    expect(res.body.operation).toMatchObject({ kind: 'FALL_BACK', fromNode: 'imp-b', toNode: 'imp-a' });
    expect(await states(h)).toEqual([
      ['TAKING_BACK', 'ON_ADMIN_REQUEST'],
      ['FALLING_BACK', 'ON_ADMIN_REQUEST'],
    ]);
    h.clock.t += 1000;
    expect((await beat(h, a)).body.serviceOrder).toBe('start');
    obeyStart(a);
    await beat(h, b);
    // Its report from before it was told to start proves nothing: wait for the next one.
    const op = res.body.operation.id;
    expect(await h.runTask({ task: 'checkOperation', group: 'prg-1', operationId: op })).toMatchObject({
      phase: 'AWAIT_SERVICES',
    });
    h.clock.t += 1000;
    await beat(h, a);
    // b must also acknowledge that it is falling back (it then serves only its own users).
    await beat(h, b);
    expect(await h.runTask({ task: 'checkOperation', group: 'prg-1', operationId: op })).toEqual({
      phase: 'MOVE_USERS',
      waitSeconds: 1,
    });
    await h.runTask({ task: 'moveUsers', group: 'prg-1', operationId: res.body.operation.id });
    expect(await states(h)).toEqual([
      ['NORMAL', 'NORMAL'],
      ['NORMAL', 'NORMAL'],
    ]);
    const view = await h.call('GET', '/v1/groups/prg-1', { scopes: ['prg/read'] });
    expect(view.body.lastOperation).toMatchObject({
      id: res.body.operation.id,
      kind: 'FALL_BACK',
      outcome: 'succeeded',
    });
  });

  it('409 when the node is not failed over', async () => {
    await normalPair(h);
    const res = await h.call('POST', '/v1/groups/prg-1/fallback', { body: { nodeId: 'imp-a' } });
    expect(res.status).toBe(409);
    expect(res.body.detail).toMatch(/Idle or Failed Over/);
  });
});

describe('POST /v1/groups/{name}/recover', () => {
  it('409 unless both nodes are failed; after a failed user move, recovery brings both back to Normal', async () => {
    const { a, b } = await normalPair(h);
    expect((await h.call('POST', '/v1/groups/prg-1/recover')).status).toBe(409);
    const f = await h.call('POST', '/v1/groups/prg-1/failover', { body: { nodeId: 'imp-a' } });
    await h.runTask({
      task: 'reportFailure',
      group: 'prg-1',
      operationId: f.body.operation.id,
      error: { Error: 'UserMoveFailed', Cause: 'database write refused' },
    });
    expect(await states(h)).toEqual([
      ['RUNNING_IN_FAILED_MODE', 'TAKE_OVER_USERS_FAILED'],
      ['RUNNING_IN_FAILED_MODE', 'TAKE_OVER_USERS_FAILED'],
    ]);
    const group = await h.call('GET', '/v1/groups/prg-1');
    expect(group.body.lastOperation).toMatchObject({ kind: 'TAKE_OVER', outcome: 'failed' });
    expect(group.body.nodes[0].recommendedActions.join(' ')).toMatch(/`prg recover /);
    const res = await h.call('POST', '/v1/groups/prg-1/recover');
    expect(res.status).toBe(202);
    await h.runTask({ task: 'moveUsers', group: 'prg-1', operationId: res.body.operation.id });
    h.clock.t += 1000;
    await beat(h, a);
    await beat(h, b);
    expect(await states(h)).toEqual([
      ['NORMAL', 'NORMAL'],
      ['NORMAL', 'NORMAL'],
    ]);
  });
});
