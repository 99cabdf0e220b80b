import { beforeEach, describe, expect, it } from 'vitest';
import {
  addUser,
  ConflictError,
  deleteUser,
  failover,
  fallback,
  getNode,
  getUser,
  moveUsers,
  NotFoundError,
  putEnterpriseParameters,
  rebalance,
  setHome,
  ValidationError,
} from '../../../lambdas/app';
import type { UserAssignmentMode } from '../../../lambdas/core';
import { world, type Agent, type World } from './world';
import { obeyStop } from './obeyStop';

let w: World;
beforeEach(() => {
  w = world();
});

const add = (userId: string, clusterId = 'c1') => addUser(w.ports, { userId, clusterId });
const setMode = (userAssignmentMode: UserAssignmentMode) =>
  putEnterpriseParameters(w.ports, { userAssignmentMode });

/** Each node's userCount, as the node view shows it. */
async function counts(...nodeIds: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const id of nodeIds) out[id] = (await getNode(w.ports, id)).userCount;
  return out;
}

async function conflict(act: Promise<unknown>): Promise<ConflictError> {
  const error = await act.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConflictError);
  return error as ConflictError;
}

async function failedOver(nodeId: string, agent: Agent): Promise<void> {
  const f = await failover(w.ports, 'prg-1', nodeId);
  await obeyStop(w, agent);
  await moveUsers(w.ports, 'prg-1', f.operation!.id);
}

describe('adding users', () => {
  it('BALANCED (the default) alternates new users between the nodes of the pair, counted on each', async () => {
    await w.normalPair();
    const first = await add('alice');
    expect(first).toMatchObject({ userId: 'alice', homeNode: 'imp-a', currentNode: 'imp-a' });
    const homes = [first.homeNode];
    for (const id of ['bob', 'carol', 'dave']) homes.push((await add(id)).homeNode);
    expect(homes).toEqual(['imp-a', 'imp-b', 'imp-a', 'imp-b']);
    expect(await counts('imp-a', 'imp-b')).toEqual({ 'imp-a': 2, 'imp-b': 2 });
  });

  it('ACTIVE_STANDBY puts every new user on the first node', async () => {
    await w.normalPair();
    await setMode('ACTIVE_STANDBY');
    for (const id of ['alice', 'bob', 'carol']) expect((await add(id)).homeNode).toBe('imp-a');
    expect(await counts('imp-a', 'imp-b')).toEqual({ 'imp-a': 3, 'imp-b': 0 });
  });

  it('NONE leaves the home to the administrator; a user of a cluster with no group has none either', async () => {
    await w.normalPair();
    await setMode('NONE');
    expect(await add('alice')).toEqual({
      userId: 'alice',
      clusterId: 'c1',
      homeNode: null,
      currentNode: null,
      relogin: null,
    });
    await setMode('BALANCED');
    await w.register('imp-z', { clusterId: 'c2' });
    expect(await add('zoe', 'c2')).toMatchObject({ homeNode: null });
    expect(await counts('imp-a', 'imp-b', 'imp-z')).toEqual({ 'imp-a': 0, 'imp-b': 0, 'imp-z': 0 });
    await deleteUser(w.ports, 'alice');
    await expect(getUser(w.ports, 'alice')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('is refused while a node of the cluster is failed over, during the workflow and after it; nothing is written', async () => {
    const { a, b } = await w.normalPair();
    await add('alice');
    const f = await failover(w.ports, 'prg-1', 'imp-a');
    const during = await conflict(add('bob'));
    expect(during.code).toBe('FAILOVER_IN_PROGRESS');
    expect(during.message).toContain('prg-1');
    await obeyStop(w, a);
    await moveUsers(w.ports, 'prg-1', f.operation!.id);
    const after = await conflict(add('bob'));
    expect(after.states).toEqual([
      { nodeId: 'imp-a', state: 'IDLE', reason: 'ON_ADMIN_REQUEST' },
      { nodeId: 'imp-b', state: 'RUNNING_IN_BACKUP_MODE', reason: 'ON_ADMIN_REQUEST' },
    ]);
    await expect(getUser(w.ports, 'bob')).rejects.toBeInstanceOf(NotFoundError);
    expect(await counts('imp-a', 'imp-b')).toEqual({ 'imp-a': 1, 'imp-b': 0 });
    // After the fallback, users may be added again.
    const fb = await fallback(w.ports, 'prg-1', 'imp-a');
    for (const s of Object.keys(a.services)) a.services[s] = 'running'; // obeying 'start'
    await w.beatBoth(a, b, 2); // told to start, then shows it obeyed
    await moveUsers(w.ports, 'prg-1', fb.operation!.id);
    expect((await add('bob')).homeNode).toBe('imp-b');
  });

  it('a user id that exists is refused; the counts are unchanged', async () => {
    await w.normalPair();
    await add('alice');
    const e = await conflict(add('alice'));
    expect(e.code).toBe('ALREADY_EXISTS');
    expect(await counts('imp-a', 'imp-b')).toEqual({ 'imp-a': 1, 'imp-b': 0 });
  });
});

describe('a user as shown', () => {
  it('its home node serves it, and it logs in again within the node’s limits, the same answer twice', async () => {
    await w.normalPair();
    await add('alice');
    const shown = await getUser(w.ports, 'alice');
    expect(shown).toEqual({
      userId: 'alice',
      clusterId: 'c1',
      homeNode: 'imp-a',
      currentNode: 'imp-a',
      relogin: { lowerLimitSeconds: 120, upperLimitSeconds: 537, afterSeconds: expect.any(Number) },
    });
    const after = shown.relogin!.afterSeconds;
    expect(Number.isInteger(after) && after >= 120 && after <= 537).toBe(true);
    expect(await getUser(w.ports, 'alice')).toEqual(shown);
  });

  it('after a completed failover of its home node, its peer serves it', async () => {
    const { a } = await w.normalPair();
    await add('alice'); // imp-a
    await add('bob'); // imp-b
    const f = await failover(w.ports, 'prg-1', 'imp-a');
    // While the workflow runs, users are still served by their home node.
    expect((await getUser(w.ports, 'alice')).currentNode).toBe('imp-a');
    await obeyStop(w, a);
    await moveUsers(w.ports, 'prg-1', f.operation!.id);
    expect(await getUser(w.ports, 'alice')).toMatchObject({ homeNode: 'imp-a', currentNode: 'imp-b' });
    expect(await getUser(w.ports, 'bob')).toMatchObject({ homeNode: 'imp-b', currentNode: 'imp-b' });
  });
});

describe('setting a home by hand', () => {
  it('in mode NONE, sets the home and moves the counts', async () => {
    await w.normalPair();
    await add('alice'); // imp-a, by the sync agent
    await setMode('NONE');
    expect(await setHome(w.ports, 'alice', 'imp-b')).toMatchObject({
      homeNode: 'imp-b',
      currentNode: 'imp-b',
    });
    expect((await getUser(w.ports, 'alice')).homeNode).toBe('imp-b');
    expect(await counts('imp-a', 'imp-b')).toEqual({ 'imp-a': 0, 'imp-b': 1 });
  });

  it('is refused unless the mode is NONE, saying how to change it; the home is unchanged', async () => {
    await w.normalPair();
    await add('alice');
    for (const mode of ['BALANCED', 'ACTIVE_STANDBY'] as const) {
      await setMode(mode);
      const e = await conflict(setHome(w.ports, 'alice', 'imp-b'));
      expect(e.code).toBe('MODE');
      expect(e.message).toContain(mode);
      expect(e.message).toContain('NONE');
    }
    expect(await counts('imp-a', 'imp-b')).toEqual({ 'imp-a': 1, 'imp-b': 0 });
  });

  it('is refused naming nodeId for a node of another cluster or an unknown node', async () => {
    await w.normalPair();
    await w.register('imp-z', { clusterId: 'c2' });
    await add('alice');
    await setMode('NONE');
    for (const nodeId of ['imp-z', 'imp-ghost']) {
      const e = await setHome(w.ports, 'alice', nodeId).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).errors.map((x) => x.path)).toEqual(['nodeId']);
    }
    expect((await getUser(w.ports, 'alice')).homeNode).toBe('imp-a');
    await expect(setHome(w.ports, 'nobody', 'imp-a')).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('deleting a user', () => {
  it("the user is gone and its home node's count goes down; deleting again is not found", async () => {
    await w.normalPair();
    await add('alice'); // imp-a
    await add('bob'); // imp-b
    await deleteUser(w.ports, 'alice');
    await expect(getUser(w.ports, 'alice')).rejects.toBeInstanceOf(NotFoundError);
    expect(await counts('imp-a', 'imp-b')).toEqual({ 'imp-a': 0, 'imp-b': 1 });
    await expect(deleteUser(w.ports, 'alice')).rejects.toBeInstanceOf(NotFoundError);
    expect(await counts('imp-a', 'imp-b')).toEqual({ 'imp-a': 0, 'imp-b': 1 });
  });
});

describe('rebalancing a cluster', () => {
  it('users put on one node by hand are balanced over the pair; a second rebalance moves nobody', async () => {
    await w.normalPair();
    const ids = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'];
    for (const id of ids) await add(id);
    await setMode('NONE');
    for (const id of ids) await setHome(w.ports, id, 'imp-a');
    expect(await counts('imp-a', 'imp-b')).toEqual({ 'imp-a': 6, 'imp-b': 0 });
    await setMode('BALANCED');
    expect(await rebalance(w.ports, 'c1')).toEqual({
      planned: [{ from: 'imp-a', to: 'imp-b', count: 3 }],
      moved: 3,
      remaining: 0,
    });
    expect(await counts('imp-a', 'imp-b')).toEqual({ 'imp-a': 3, 'imp-b': 3 });
    const homes = await Promise.all(ids.map(async (id) => (await getUser(w.ports, id)).homeNode));
    expect(homes.filter((n) => n === 'imp-b')).toHaveLength(3);
    expect(await rebalance(w.ports, 'c1')).toEqual({ planned: [], moved: 0, remaining: 0 });
  });

  it('in ACTIVE_STANDBY, brings every user to the first node', async () => {
    await w.normalPair();
    for (const id of ['u1', 'u2', 'u3', 'u4']) await add(id);
    await setMode('ACTIVE_STANDBY');
    expect((await rebalance(w.ports, 'c1')).moved).toBe(2);
    expect(await counts('imp-a', 'imp-b')).toEqual({ 'imp-a': 4, 'imp-b': 0 });
  });

  it('is refused while a node of the cluster is failed over; nobody moves', async () => {
    const { b } = await w.normalPair();
    for (const id of ['u1', 'u2']) await add(id);
    await setMode('ACTIVE_STANDBY');
    await failedOver('imp-b', b);
    const e = await conflict(rebalance(w.ports, 'c1'));
    expect(e.code).toBe('FAILOVER_IN_PROGRESS');
    expect(e.message).toContain('prg-1');
    expect(await counts('imp-a', 'imp-b')).toEqual({ 'imp-a': 1, 'imp-b': 1 });
  });
});
