import { beforeEach, describe, expect, it } from 'vitest';
import {
  ConflictError,
  deleteGroup,
  failover,
  findGroups,
  getGroup,
  getNode,
  groupHistory,
  groupView,
  moveUsers,
  NotFoundError,
  updateGroup,
  ValidationError,
} from '../../../lambdas/app';
import { world, type World } from './world';
import { obeyStop } from './obeyStop';

let w: World;
beforeEach(() => {
  w = world();
});

const groupOf = async (nodeId: string) => (await getNode(w.ports, nodeId)).group;
const names = async () => (await findGroups(w.ports, { limit: 1000 })).groups.map((g) => g.name);

/** Runs `act`, expecting it to be refused with `type`, and returns the error to look at. */
async function refused<E extends Error>(
  act: Promise<unknown>,
  type: new (...args: never[]) => E,
): Promise<E> {
  const error = await act.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as E;
}

describe('creating a group', () => {
  it('without high availability: the nodes join it and have no state; no workflow starts', async () => {
    await w.register('imp-a');
    await w.register('imp-b');
    const view = await w.createGroup({ name: 'prg-1', description: 'Paris pair', nodes: ['imp-a', 'imp-b'] });
    expect(view).toMatchObject({
      name: 'prg-1',
      description: 'Paris pair',
      clusterId: 'c1',
      highAvailability: false,
      version: 1,
      operation: null,
      createdAt: new Date(w.clock.t).toISOString(),
    });
    expect(view.nodes.map((n) => [n.nodeId, n.state, n.reason])).toEqual([
      ['imp-a', null, null],
      ['imp-b', null, null],
    ]);
    expect(await groupOf('imp-a')).toBe('prg-1');
    expect(await groupOf('imp-b')).toBe('prg-1');
    expect(w.started()).toEqual([]);
  });

  it('with high availability over two healthy nodes that reported before: both NORMAL at once', async () => {
    const a = await w.register('imp-a');
    const b = await w.register('imp-b');
    await w.beat(a);
    await w.beat(b);
    const view = await w.createGroup({ name: 'prg-1', nodes: ['imp-a', 'imp-b'], highAvailability: true });
    expect(view.highAvailability).toBe(true);
    expect(view.nodes.map((n) => [n.state, n.reason])).toEqual([
      ['NORMAL', 'NORMAL'],
      ['NORMAL', 'NORMAL'],
    ]);
    expect(w.started()).toEqual([]);
  });

  it('refuses an unregistered node naming nodes.1; nothing is written', async () => {
    await w.register('imp-a');
    const e = await refused(w.createGroup({ name: 'prg-1', nodes: ['imp-a', 'imp-ghost'] }), ValidationError);
    expect(e.errors.map((x) => x.path)).toEqual(['nodes.1']);
    expect(e.errors[0]!.message).toContain('imp-ghost');
    expect(await names()).toEqual([]);
    expect(await groupOf('imp-a')).toBeNull();
  });

  it('refuses nodes of different clusters, publishers or software versions, naming nodes.1', async () => {
    await w.register('imp-a');
    await w.register('imp-b', { clusterId: 'c2', publisherId: 'pub-2', softwareVersion: '14.0' });
    const e = await refused(w.createGroup({ name: 'prg-1', nodes: ['imp-a', 'imp-b'] }), ValidationError);
    expect(e.errors).toHaveLength(3);
    expect(new Set(e.errors.map((x) => x.path))).toEqual(new Set(['nodes.1']));
    expect(await names()).toEqual([]);
  });

  it('refuses a node that already belongs to another group, naming both; nothing is written', async () => {
    await w.register('imp-a');
    await w.register('imp-b');
    await w.register('imp-c');
    await w.createGroup({ name: 'prg-1', nodes: ['imp-a', 'imp-b'] });
    const e = await refused(w.createGroup({ name: 'prg-2', nodes: ['imp-c', 'imp-b'] }), ConflictError);
    expect(e.code).toBe('IN_USE');
    expect(e.message).toContain('imp-b');
    expect(e.message).toContain('prg-1');
    expect(await names()).toEqual(['prg-1']);
    expect(await groupOf('imp-c')).toBeNull();
  });

  it('refuses a name already taken; the first group keeps its nodes', async () => {
    await w.register('imp-a');
    await w.register('imp-b');
    await w.createGroup({ name: 'prg-1', description: 'first', nodes: ['imp-a'] });
    const e = await refused(w.createGroup({ name: 'prg-1', nodes: ['imp-b'] }), ConflictError);
    expect(e.code).toBe('ALREADY_EXISTS');
    expect(groupView(await getGroup(w.ports, 'prg-1'))).toMatchObject({ description: 'first', version: 1 });
    expect(await groupOf('imp-b')).toBeNull();
  });

  it('of two groups created at once over the same node, exactly one gets it', async () => {
    for (const id of ['imp-a', 'imp-b', 'imp-c']) await w.register(id);
    const results = await Promise.allSettled([
      w.createGroup({ name: 'prg-1', nodes: ['imp-a', 'imp-b'] }),
      w.createGroup({ name: 'prg-2', nodes: ['imp-c', 'imp-b'] }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const loser = results.find((r) => r.status === 'rejected')!;
    expect(loser.reason).toBeInstanceOf(ConflictError);
    expect(loser.reason.code).toBe('IN_USE');
    const [winner] = (await findGroups(w.ports, { limit: 1000 })).groups;
    expect(await names()).toEqual([winner!.name]);
    expect(await groupOf('imp-b')).toBe(winner!.name);
    // The loser's other node was not taken either: all or nothing.
    const other = winner!.name === 'prg-1' ? 'imp-c' : 'imp-a';
    expect(await groupOf(other)).toBeNull();
  });
});

describe('finding groups', () => {
  it('by name prefix, sorted, and only those', async () => {
    for (const id of ['n1', 'n2', 'n3']) await w.register(id);
    await w.createGroup({ name: 'paris-2', nodes: ['n1'] });
    await w.createGroup({ name: 'paris-1', nodes: ['n2'] });
    await w.createGroup({ name: 'lyon-1', nodes: ['n3'] });
    expect((await findGroups(w.ports, { name: 'paris', limit: 1000 })).groups.map((g) => g.name)).toEqual([
      'paris-1',
      'paris-2',
    ]);
    expect(await names()).toEqual(['lyon-1', 'paris-1', 'paris-2']);
    expect((await findGroups(w.ports, { name: 'rome', limit: 1000 })).groups).toEqual([]);
  });
});

describe('updating a group', () => {
  it('a new description changes nothing else', async () => {
    await w.normalPair();
    const before = groupView(await getGroup(w.ports, 'prg-1'));
    const after = await updateGroup(w.ports, 'prg-1', { description: 'Paris pair' });
    expect(after.description).toBe('Paris pair');
    expect(after.version).toBeGreaterThan(before.version);
    expect(after.nodes).toEqual(before.nodes);
    expect(groupView(await getGroup(w.ports, 'prg-1')).description).toBe('Paris pair');
  });

  it('HA off clears the states and the nodes hear they are in no HA group; HA on again: both NORMAL', async () => {
    const { a, b } = await w.normalPair();
    const off = await updateGroup(w.ports, 'prg-1', { highAvailability: false });
    expect(off.highAvailability).toBe(false);
    expect(await w.states()).toEqual([
      [null, null],
      [null, null],
    ]);
    w.clock.advance(1000);
    expect(await w.beat(a)).toMatchObject({ group: null, state: null, serviceOrder: 'leave' });
    await w.beat(b);
    const on = await updateGroup(w.ports, 'prg-1', { highAvailability: true });
    expect(on.highAvailability).toBe(true);
    expect(await w.states()).toEqual([
      ['NORMAL', 'NORMAL'],
      ['NORMAL', 'NORMAL'],
    ]);
  });

  it('HA on a group of one node is refused, saying why; nothing is changed', async () => {
    await w.register('imp-a');
    await w.createGroup({ name: 'prg-1', nodes: ['imp-a'] });
    const e = await refused(updateGroup(w.ports, 'prg-1', { highAvailability: true }), ConflictError);
    expect(e.message).toContain('two nodes');
    expect(groupView(await getGroup(w.ports, 'prg-1'))).toMatchObject({
      highAvailability: false,
      version: 1,
    });
  });

  it('HA off is refused while a node is failed over: its users would be stranded', async () => {
    const { a } = await w.normalPair();
    const f = await failover(w.ports, 'prg-1', 'imp-a');
    await obeyStop(w, a);
    await moveUsers(w.ports, 'prg-1', f.operation!.id);
    const e = await refused(updateGroup(w.ports, 'prg-1', { highAvailability: false }), ConflictError);
    expect(e.states.map((s) => s.state)).toEqual(['IDLE', 'RUNNING_IN_BACKUP_MODE']);
    expect(groupView(await getGroup(w.ports, 'prg-1')).highAvailability).toBe(true);
  });

  it('an unknown group is not found', async () => {
    await expect(updateGroup(w.ports, 'prg-9', { description: 'x' })).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('deleting a group', () => {
  it('the group is gone and its nodes are free for a new group', async () => {
    await w.normalPair();
    await deleteGroup(w.ports, 'prg-1');
    await expect(getGroup(w.ports, 'prg-1')).rejects.toBeInstanceOf(NotFoundError);
    expect(await groupOf('imp-a')).toBeNull();
    expect(await groupOf('imp-b')).toBeNull();
    await w.createGroup({ name: 'prg-2', nodes: ['imp-b', 'imp-a'], highAvailability: true });
    expect(await groupOf('imp-a')).toBe('prg-2');
  });

  it('is refused with the current states while a workflow runs; the group stays', async () => {
    await w.normalPair();
    const f = await failover(w.ports, 'prg-1', 'imp-a');
    const e = await refused(deleteGroup(w.ports, 'prg-1'), ConflictError);
    expect(e.code).toBe('OPERATION_IN_PROGRESS');
    expect(e.message).toContain(f.operation!.id);
    expect(e.states).toEqual([
      { nodeId: 'imp-a', state: 'FAILING_OVER', reason: 'ON_ADMIN_REQUEST' },
      { nodeId: 'imp-b', state: 'TAKING_OVER', reason: 'ON_ADMIN_REQUEST' },
    ]);
    expect(await names()).toEqual(['prg-1']);
    expect(await groupOf('imp-a')).toBe('prg-1');
  });

  it('a heartbeat decided between its read and its write does not defeat it: the newer group is judged again and deleted', async () => {
    const { a } = await w.normalPair();
    // A heartbeat with a fault is decided and written between the delete's read and its write.
    w.groups.afterGet = async () => {
      w.groups.afterGet = null;
      a.services['Cisco SIP Proxy'] = 'stopped';
      w.clock.advance(1000);
      await w.beat(a);
    };
    await deleteGroup(w.ports, 'prg-1');
    expect(await names()).toEqual([]);
    expect(await groupOf('imp-a')).toBeNull();
  });

  it('is refused, nothing deleted, when the group changed after it was read into one that may not be deleted', async () => {
    await w.normalPair();
    w.groups.afterGet = async () => {
      w.groups.afterGet = null;
      await failover(w.ports, 'prg-1', 'imp-a');
    };
    const e = await refused(deleteGroup(w.ports, 'prg-1'), ConflictError);
    expect(e.code).toBe('OPERATION_IN_PROGRESS');
    expect(await names()).toEqual(['prg-1']);
    expect(await groupOf('imp-a')).toBe('prg-1');
  });

  it('an unknown group is not found', async () => {
    await expect(deleteGroup(w.ports, 'prg-9')).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("a group's history", () => {
  it('newest first, at most limit lines, each { at, nodeId, from, to, reason, cause }', async () => {
    const { a } = await w.normalPair();
    const created = new Date(w.clock.t).toISOString();
    w.clock.advance(1000);
    const f = await failover(w.ports, 'prg-1', 'imp-a');
    await obeyStop(w, a);
    await moveUsers(w.ports, 'prg-1', f.operation!.id);
    const done = new Date(w.clock.t).toISOString();

    const lines = (await groupHistory(w.ports, 'prg-1', { limit: 50 })).history;
    for (const line of lines) {
      expect(Object.keys(line).sort()).toEqual(['at', 'cause', 'from', 'nodeId', 'reason', 'to']);
      expect(line.cause).toEqual(expect.any(String));
    }
    const ats = lines.map((l) => l.at);
    expect(ats).toEqual([...ats].sort().reverse());
    expect(ats[0]).toBe(done);
    expect(ats.at(-1)).toBe(created);
    const byNode = (id: string) =>
      lines
        .filter((l) => l.nodeId === id)
        .map((l) => [l.from, l.to, l.reason])
        .reverse();
    expect(byNode('imp-a')).toEqual([
      [null, 'NORMAL', 'NORMAL'],
      ['NORMAL', 'FAILING_OVER', 'ON_ADMIN_REQUEST'],
      ['FAILING_OVER', 'IDLE', 'ON_ADMIN_REQUEST'],
    ]);
    expect(byNode('imp-b')).toEqual([
      [null, 'NORMAL', 'NORMAL'],
      ['NORMAL', 'TAKING_OVER', 'ON_ADMIN_REQUEST'],
      ['TAKING_OVER', 'RUNNING_IN_BACKUP_MODE', 'ON_ADMIN_REQUEST'],
    ]);
    expect((await groupHistory(w.ports, 'prg-1', { limit: 2 })).history).toEqual(lines.slice(0, 2));
  });

  it('of an unknown group is not found', async () => {
    await expect(groupHistory(w.ports, 'prg-9', { limit: 10 })).rejects.toBeInstanceOf(NotFoundError);
  });
});
