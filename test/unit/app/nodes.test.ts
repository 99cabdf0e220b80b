import { beforeEach, describe, expect, it } from 'vitest';
import {
  addUser,
  ConflictError,
  deleteNode,
  deleteUser,
  getNode,
  hashToken,
  listNodes,
  nodeParameters,
  NotFoundError,
  patchNodeParameters,
  putEnterpriseParameters,
  registerNode,
  rotateToken,
  setHome,
  verifyNodeToken,
  UnauthorizedError,
  ValidationError,
} from '../../../lambdas/app';
import { world, type World } from './world';

let w: World;
beforeEach(() => {
  w = world();
});

const registration = (nodeId: string, extra: Record<string, string> = {}) => ({
  nodeId,
  hostname: `${nodeId}.example.com`,
  clusterId: 'c1',
  softwareVersion: '15.0',
  publisherId: 'pub-1',
  ...extra,
});

async function conflict(act: Promise<unknown>): Promise<ConflictError> {
  const error = await act.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConflictError);
  return error as ConflictError;
}

describe('registering a node', () => {
  it('returns the node and its token, once; the token is stored only as its hash', async () => {
    const { node, token } = await registerNode(w.ports, registration('imp-a'));
    expect(node).toEqual({
      nodeId: 'imp-a',
      hostname: 'imp-a.example.com',
      clusterId: 'c1',
      softwareVersion: '15.0',
      publisherId: 'pub-1',
      group: null,
      userCount: 0,
      lastHeartbeatAt: null,
      services: {},
      database: null,
      registeredAt: new Date(w.clock.t).toISOString(),
      legacyToken: false,
    });
    expect(verifyNodeToken(await w.ports.nodeTokens.keyRing(), token, w.clock.t)).toEqual({
      ok: true,
      token: { nodeId: 'imp-a', generation: 1, key: 'current' },
    });
    const stored = JSON.stringify([...w.db.nodes.values()]);
    expect(stored).not.toContain(token);
    expect((await getNode(w.ports, 'imp-a')).tokenHash).toBe(hashToken(token));
    expect(JSON.stringify((await listNodes(w.ports, { limit: 1000 })).nodes)).not.toMatch(/tokenHash/i);
  });

  it('the token issued at registration authenticates its heartbeats', async () => {
    const a = await w.register('imp-a');
    expect((await w.beat(a)).group).toBeNull();
  });

  it('a node id already registered is refused; the first registration and its token are kept', async () => {
    const a = await w.register('imp-a');
    const e = await conflict(
      registerNode(w.ports, registration('imp-a', { hostname: 'other.example.com', clusterId: 'c2' })),
    );
    expect(e.code).toBe('ALREADY_EXISTS');
    expect(e.message).toContain('/v1/nodes/imp-a/token');
    expect(await getNode(w.ports, 'imp-a')).toMatchObject({ hostname: 'imp-a.example.com', clusterId: 'c1' });
    expect((await w.beat(a)).group).toBeNull();
  });

  it('lists every node, sorted', async () => {
    for (const id of ['imp-c', 'imp-a', 'imp-b']) await w.register(id);
    expect((await listNodes(w.ports, { limit: 1000 })).nodes.map((n) => n.nodeId)).toEqual([
      'imp-a',
      'imp-b',
      'imp-c',
    ]);
  });

  it("a node in a group shows the facts of its group's last heartbeat", async () => {
    const { a } = await w.normalPair();
    a.services['Cisco SIP Proxy'] = 'stopped';
    w.clock.advance(1000);
    await w.beat(a);
    const [shown] = (await listNodes(w.ports, { limit: 1000 })).nodes;
    expect(shown).toMatchObject({
      nodeId: 'imp-a',
      group: 'prg-1',
      lastHeartbeatAt: new Date(w.clock.t).toISOString(),
    });
    expect(shown!.services['Cisco SIP Proxy']).toBe('stopped');
  });
});

describe("rotating a node's token", () => {
  it('the new token works and the old one is refused', async () => {
    const a = await w.register('imp-a');
    const old = a.token;
    const { token } = await rotateToken(w.ports, 'imp-a');
    expect(token).not.toBe(old);
    await expect(w.beat({ ...a, token: old })).rejects.toBeInstanceOf(UnauthorizedError);
    expect((await w.beat({ ...a, token })).group).toBeNull();
  });

  it("in a group, the group's copy changes with it and its version moves on", async () => {
    await w.normalPair();
    const before = await w.ports.groups.get('prg-1');
    const { token } = await rotateToken(w.ports, 'imp-a');
    const after = (await w.ports.groups.get('prg-1'))!;
    expect(after.tokens['imp-a']).toBe(hashToken(token));
    expect(after.tokens['imp-b']).toBe(before!.tokens['imp-b']);
    expect(after.version).toBe(before!.version + 1);
  });

  it('is refused when the node joined a group between the read and the write; nothing changes', async () => {
    await w.register('imp-a');
    await w.register('imp-b');
    const hash = (await getNode(w.ports, 'imp-a')).tokenHash;
    w.nodes.afterGet = async () => {
      w.nodes.afterGet = null;
      await w.createGroup({ name: 'prg-1', nodes: ['imp-a', 'imp-b'] });
    };
    const e = await conflict(rotateToken(w.ports, 'imp-a'));
    expect(e.code).toBe('CONCURRENT_UPDATE');
    expect((await getNode(w.ports, 'imp-a')).tokenHash).toBe(hash);
    expect((await w.ports.groups.get('prg-1'))!.tokens['imp-a']).toBe(hash);
  });

  it('of an unknown node is not found', async () => {
    await expect(rotateToken(w.ports, 'imp-z')).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('deleting a node', () => {
  it('the node is gone and its token no longer authenticates', async () => {
    const a = await w.register('imp-a');
    await deleteNode(w.ports, 'imp-a');
    await expect(getNode(w.ports, 'imp-a')).rejects.toBeInstanceOf(NotFoundError);
    await expect(deleteNode(w.ports, 'imp-a')).rejects.toBeInstanceOf(NotFoundError);
    await expect(w.beat(a)).rejects.toBeInstanceOf(UnauthorizedError);
    expect((await listNodes(w.ports, { limit: 1000 })).nodes).toEqual([]);
  });

  it('is refused while the node is in a group, naming the group; the node stays', async () => {
    await w.register('imp-a');
    await w.register('imp-b');
    await w.createGroup({ name: 'prg-1', nodes: ['imp-a', 'imp-b'] });
    const e = await conflict(deleteNode(w.ports, 'imp-a'));
    expect(e.code).toBe('IN_USE');
    expect(e.message).toContain('prg-1');
    expect((await getNode(w.ports, 'imp-a')).group).toBe('prg-1');
  });

  it('is refused while users have it as their home; allowed once they are gone', async () => {
    // alice gets imp-a from the sync agent, then is moved by hand to imp-x, in no group.
    await w.register('imp-a');
    await w.register('imp-x');
    await w.createGroup({ name: 'prg-1', nodes: ['imp-a'] });
    await addUser(w.ports, { userId: 'alice', clusterId: 'c1' });
    await putEnterpriseParameters(w.ports, { userAssignmentMode: 'NONE' });
    await setHome(w.ports, 'alice', 'imp-x');
    const e = await conflict(deleteNode(w.ports, 'imp-x'));
    expect(e.code).toBe('IN_USE');
    expect(e.message).toContain('home of 1 user');
    expect((await getNode(w.ports, 'imp-x')).userCount).toBe(1);
    await deleteUser(w.ports, 'alice');
    await deleteNode(w.ports, 'imp-x');
    expect((await listNodes(w.ports, { limit: 1000 })).nodes.map((n) => n.nodeId)).toEqual(['imp-a']);
  });
});

describe('per-node parameters', () => {
  it('the defaults, then a change of one field keeps the other', async () => {
    await w.register('imp-a');
    expect(await nodeParameters(w.ports, 'imp-a')).toEqual({
      clientReloginLowerLimit: 120,
      clientReloginUpperLimit: 537,
    });
    expect(await patchNodeParameters(w.ports, 'imp-a', { clientReloginUpperLimit: 300 })).toEqual({
      clientReloginLowerLimit: 120,
      clientReloginUpperLimit: 300,
    });
    expect(await nodeParameters(w.ports, 'imp-a')).toEqual({
      clientReloginLowerLimit: 120,
      clientReloginUpperLimit: 300,
    });
  });

  it('lower above upper on the merged result is refused naming clientReloginLowerLimit; both raised together is accepted', async () => {
    await w.register('imp-a');
    const e = await patchNodeParameters(w.ports, 'imp-a', { clientReloginLowerLimit: 600 }).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).errors.map((x) => x.path)).toEqual(['clientReloginLowerLimit']);
    expect(await nodeParameters(w.ports, 'imp-a')).toEqual({
      clientReloginLowerLimit: 120,
      clientReloginUpperLimit: 537,
    });
    await patchNodeParameters(w.ports, 'imp-a', {
      clientReloginLowerLimit: 700,
      clientReloginUpperLimit: 900,
    });
    expect(await nodeParameters(w.ports, 'imp-a')).toEqual({
      clientReloginLowerLimit: 700,
      clientReloginUpperLimit: 900,
    });
  });

  it('of an unknown node is not found', async () => {
    await expect(nodeParameters(w.ports, 'imp-z')).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      patchNodeParameters(w.ports, 'imp-z', { clientReloginUpperLimit: 300 }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
});
