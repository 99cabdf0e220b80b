import { beforeEach, describe, expect, it } from 'vitest';
import { apiHarness, type ApiHarness } from '../../support/apiHarness';
import { beat, expectProblem, normalPair, registerNode, states, type NodeAgent } from '../../support/apiPair';

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
});

const READ = { scopes: ['prg/read'] };

async function userCount(nodeId: string): Promise<number> {
  return (await h.call('GET', `/v1/nodes/${nodeId}`, READ)).body.userCount;
}

/**
 * imp-a dies for good: imp-b notices its silence, takes over its users and runs in
 * backup mode. Users are added first, so imp-a is home to some of them.
 */
async function deadNode(): Promise<{ a: NodeAgent; b: NodeAgent; users: string[] }> {
  const { a, b } = await normalPair(h);
  const users = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'];
  for (const userId of users) {
    expect((await h.call('POST', '/v1/users', { body: { userId, clusterId: 'c1' } })).status).toBe(201);
  }
  expect(await userCount('imp-a')).toBeGreaterThan(0);
  // b goes on beating; however long the control plane waits before moving a silent node's
  // users, it takes them over, and the workflow moves them.
  for (let s = 0; s < 120; s++) {
    h.clock.t += 1000;
    await beat(h, b);
    const group = (await h.call('GET', '/v1/groups/prg-1', READ)).body;
    if (group.failedOver === 'imp-a' && !group.operation) break;
    if (group.operation?.phase === 'MOVE_USERS') {
      expect(group.operation).toMatchObject({ kind: 'TAKE_OVER', fromNode: 'imp-a' });
      await h.runTask({ task: 'moveUsers', group: 'prg-1', operationId: group.operation.id });
    }
  }
  expect(await states(h)).toEqual([
    ['DOWN', 'PEER_DOWN'],
    ['RUNNING_IN_BACKUP_MODE', 'PEER_DOWN'],
  ]);
  return { a, b, users };
}

/** Runs the re-home workflow's pages as Step Functions would, until it stops. */
async function runRehome(operationId: string, fromNode: string, toNode: string) {
  for (let page = 0; page < 20; page++) {
    const result = (await h.runTask({
      task: 'rehomeUsers',
      group: 'prg-1',
      operationId,
      fromNode,
      toNode,
    })) as {
      outcome: string;
    };
    if (result.outcome !== 'moving') return result;
  }
  throw new Error('the re-home did not end');
}

describe('defect 4: deleting a group while a node is failed over sends its users back to a stopped node', () => {
  it('DELETE is refused with 409 naming both states and the ways out; nothing is deleted', async () => {
    await deadNode();
    const res = await h.call('DELETE', '/v1/groups/prg-1');
    expectProblem(res, 409);
    expect(res.body.code).toBe('STATE_CONFLICT');
    expect(res.body.states.map((s: { nodeId: string; state: string }) => [s.nodeId, s.state])).toEqual([
      ['imp-a', 'DOWN'],
      ['imp-b', 'RUNNING_IN_BACKUP_MODE'],
    ]);
    expect(res.body.detail).toContain('imp-a is Down');
    expect(res.body.detail).toContain('Fall back to imp-a first');
    expect(res.body.detail).toContain('POST /v1/groups/prg-1/rehome');
    expect((await h.call('GET', '/v1/groups/prg-1', READ)).status).toBe(200);
    expect((await h.call('GET', '/v1/nodes/imp-a', READ)).body.group).toBe('prg-1');
  });

  it('a group whose nodes are both Normal is deleted as before', async () => {
    await normalPair(h);
    expect((await h.call('DELETE', '/v1/groups/prg-1')).status).toBe(204);
  });
});

describe('POST /v1/groups/{name}/rehome', () => {
  it('409 when no node is failed over, naming the states', async () => {
    await normalPair(h);
    const res = await h.call('POST', '/v1/groups/prg-1/rehome', { body: { nodeId: 'imp-a' } });
    expectProblem(res, 409);
    expect(res.body.code).toBe('STATE_CONFLICT');
    expect(res.body.detail).toContain('imp-a is Normal');
    expect(h.started()).toEqual([]);
  });

  it('409 for the serving node rather than the failed-over one; 400 naming nodeId when missing', async () => {
    await deadNode();
    const wrong = await h.call('POST', '/v1/groups/prg-1/rehome', { body: { nodeId: 'imp-b' } });
    expectProblem(wrong, 409);
    expectProblem(await h.call('POST', '/v1/groups/prg-1/rehome', { body: {} }), 400, ['nodeId']);
  });

  it('runbook "replace a dead node": re-home, delete the group and the node, pair the survivor with a new node', async () => {
    const { b, users } = await deadNode();
    const before = await userCount('imp-a');
    const started = await h.call('POST', '/v1/groups/prg-1/rehome', { body: { nodeId: 'imp-a' } });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ group: 'prg-1', fromNode: 'imp-a', toNode: 'imp-b', users: before });
    expect(h.started()).toEqual([
      expect.objectContaining({ workflow: 'TAKE_OVER' }),
      expect.objectContaining({
        workflow: 'REHOME',
        operationId: started.body.operationId,
        fromNode: 'imp-a',
        toNode: 'imp-b',
      }),
    ]);
    // Nothing changes for anyone being served: the peer already serves these users.
    expect(await runRehome(started.body.operationId, 'imp-a', 'imp-b')).toMatchObject({
      outcome: 'done',
      moved: before,
      remaining: 0,
    });
    expect(await userCount('imp-a')).toBe(0);
    expect(await userCount('imp-b')).toBe(users.length);
    for (const userId of users) {
      expect((await h.call('GET', `/v1/users/${userId}`, READ)).body).toMatchObject({
        homeNode: 'imp-b',
        currentNode: 'imp-b',
      });
    }
    const history = (await h.call('GET', '/v1/groups/prg-1/history', READ)).body.history;
    expect(history[0].cause).toContain(`Re-home ${started.body.operationId}`);

    // Now nobody goes back to imp-a: the group can be dissolved, and imp-a deleted.
    expect((await h.call('DELETE', '/v1/groups/prg-1')).status).toBe(204);
    expect((await h.call('DELETE', '/v1/nodes/imp-a')).status).toBe(204);

    // The replacement joins the survivor in a new group of the same name.
    const c = await registerNode(h, 'imp-c');
    h.clock.t += 1000;
    await beat(h, b);
    await beat(h, c);
    const g = await h.call('POST', '/v1/groups', {
      body: { name: 'prg-1', nodes: ['imp-b', 'imp-c'], highAvailability: true },
    });
    expect(g.status).toBe(201);
    expect(await states(h)).toEqual([
      ['NORMAL', 'NORMAL'],
      ['NORMAL', 'NORMAL'],
    ]);
    expect((await h.call('GET', '/v1/users/u1', READ)).body.currentNode).toBe('imp-b');
  });

  it('a fallback before the re-home ends stops it: the users not yet moved keep their home', async () => {
    const { a, b } = await deadNode();
    const started = await h.call('POST', '/v1/groups/prg-1/rehome', { body: { nodeId: 'imp-a' } });
    expect(started.status).toBe(202);
    // imp-a comes back and the operator falls back before the workflow's first page.
    a.bootId = 'imp-a-boot-2';
    a.boot = 2;
    for (let s = 0; s < 3; s++) {
      h.clock.t += 1000;
      await beat(h, a);
      await beat(h, b);
    }
    const f = await h.call('POST', '/v1/groups/prg-1/fallback', { body: { nodeId: 'imp-a' } });
    expect(f.status).toBe(202);
    const page = await h.runTask({
      task: 'rehomeUsers',
      group: 'prg-1',
      operationId: started.body.operationId,
      fromNode: 'imp-a',
      toNode: 'imp-b',
    });
    expect(page).toMatchObject({ outcome: 'superseded', moved: 0 });
    expect(await userCount('imp-a')).toBeGreaterThan(0);
  });
});
