import { beforeEach, describe, expect, it } from 'vitest';
import {
  ForbiddenError,
  issueNodeToken,
  getNode,
  moveUsers,
  nodeView,
  rotateToken,
  UnauthorizedError,
  failover,
} from '../../../lambdas/app';
import { world, type World } from './world';
import { obeyStop } from './obeyStop';

let w: World;
beforeEach(() => {
  w = world();
});

describe('heartbeat', () => {
  it('the first heartbeat of a node in no group is recorded on the node and answered with nulls and leave', async () => {
    const n = await w.register('imp-x');
    expect(await w.beat(n)).toEqual({
      group: null,
      incarnation: null,
      state: null,
      reason: null,
      epoch: 0,
      serviceOrder: 'leave',
      nextHeartbeatSeconds: 15,
      keepAliveTimeoutSeconds: 60,
      fenceAfterSeconds: 59.4,
      serviceStopSeconds: 0,
    });
    const shown = await nodeView(w.ports, await getNode(w.ports, 'imp-x'));
    expect(shown.lastHeartbeatAt).toBe(new Date(w.clock.t).toISOString());
    expect(shown.services['Cisco XCP Router']).toBe('running');
  });

  it('a steady heartbeat is one conditional write and no read, once the warm cache knows the group', async () => {
    const { a, b } = await w.normalPair();
    await w.beatBoth(a, b); // cold cache: both go through the state machine and learn their group
    const saves = w.groups.saves;
    const versionBefore = (await w.ports.groups.get('prg-1'))!.version;
    w.clock.advance(1000);
    w.db.calls.length = 0;
    expect(await w.beat(a)).toEqual({
      group: 'prg-1',
      incarnation: expect.any(String),
      state: 'NORMAL',
      reason: 'NORMAL',
      epoch: 0,
      serviceOrder: 'leave',
      nextHeartbeatSeconds: 1,
      keepAliveTimeoutSeconds: 3,
      fenceAfterSeconds: 2.4,
      serviceStopSeconds: 0,
    });
    expect(w.db.calls).toEqual(['groups.steadyHeartbeat']);
    // Steady for as long as both keep talking: no decision, no history, no event.
    const published = w.published().length;
    for (let i = 0; i < 5; i++) {
      w.clock.advance(1000);
      w.db.calls.length = 0;
      await w.beat(a);
      await w.beat(b);
      expect(w.db.calls).toEqual(['groups.steadyHeartbeat', 'groups.steadyHeartbeat']);
    }
    expect(w.groups.saves).toBe(saves);
    expect(w.published()).toHaveLength(published);
    const stored = (await w.ports.groups.get('prg-1'))!;
    expect(stored.version).toBe(versionBefore + 11);
    expect(stored.group.members.map((m) => [m.sequence, m.lastHeartbeatAt])).toEqual([
      [a.sequence, w.clock.t],
      [b.sequence, w.clock.t],
    ]);
    // The sweep would look at the pair only once both are silent for keepAliveTimeout.
    expect(w.groups.index('prg-1')!.silentAt).toBe(w.clock.t + 3000 + 1);
  });

  it('stays one write per heartbeat through a manual failover: the idle node reports its services stopped', async () => {
    const { a, b } = await w.normalPair();
    const f = await failover(w.ports, 'prg-1', 'imp-a');
    await obeyStop(w, a);
    await moveUsers(w.ports, 'prg-1', f.operation!.id);
    await w.beatBoth(a, b, 2);
    // Well past criticalServiceDelay: an Idle node's stopped services are not a fault to time.
    for (let i = 0; i < 5; i++) {
      w.clock.advance(1000);
      w.db.calls.length = 0;
      expect(await w.beat(a)).toMatchObject({ state: 'IDLE', serviceOrder: 'stop' });
      expect(await w.beat(b)).toMatchObject({ state: 'RUNNING_IN_BACKUP_MODE' });
      expect(w.db.calls).toEqual(['groups.steadyHeartbeat', 'groups.steadyHeartbeat']);
    }
  });

  it("detects the peer's silence on the next heartbeat, without waiting for the sweep", async () => {
    const { a, b } = await w.normalPair();
    await w.beatBoth(a, b);
    // b falls silent; a goes on at its interval and notices after keepAliveTimeout (3 s).
    for (let s = 0; s < 3; s++) {
      w.clock.advance(1000);
      expect((await w.beat(a)).state).toBe('NORMAL');
    }
    const steadyBefore = w.groups.steady.refused;
    w.clock.advance(1000);
    expect(await w.beat(a)).toMatchObject({ state: 'TAKING_OVER', reason: 'PEER_DOWN' });
    // The one-write path refused it: the silent peer is the state machine's to judge.
    expect(w.groups.steady.refused).toBe(steadyBefore + 1);
    expect(w.started()).toEqual([
      expect.objectContaining({ workflow: 'TAKE_OVER', fromNode: 'imp-b', toNode: 'imp-a', group: 'prg-1' }),
    ]);
    expect(await w.states()).toEqual([
      ['TAKING_OVER', 'PEER_DOWN'],
      ['DOWN', 'PEER_DOWN'],
    ]);
    // Detected on the first heartbeat after keepAliveTimeout: 4 s after b's last one.
    expect(w.metrics.recorded).toEqual([
      ['Failovers', 1],
      ['DetectionLatency', 4],
    ]);
  });

  it('a critical service reported down is recorded at once and fails over after criticalServiceDelay', async () => {
    const { a, b } = await w.normalPair();
    await w.beatBoth(a, b);
    a.services['Cisco SIP Proxy'] = 'stopped';
    w.clock.advance(1000);
    expect((await w.beat(a)).state).toBe('NORMAL');
    const member = (await w.ports.groups.get('prg-1'))!.group.members[0]!;
    expect(Object.keys(member.servicesDownSince)).toEqual(['Cisco SIP Proxy']);
    await w.beat(b);
    w.clock.advance(2000);
    await w.beat(b);
    expect(await w.beat(a)).toMatchObject({
      state: 'FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING',
      reason: 'CRITICAL_SERVICE_DOWN',
    });
    expect(w.started()).toEqual([expect.objectContaining({ workflow: 'TAKE_OVER', fromNode: 'imp-a' })]);
  });

  it('an older sequence of the same boot is acknowledged and changes nothing', async () => {
    const { a } = await w.normalPair();
    a.services['Cisco SIP Proxy'] = 'stopped';
    a.sequence = 0; // replays sequence 1, already seen
    expect((await w.beat(a)).state).toBe('NORMAL');
    const member = (await w.ports.groups.get('prg-1'))!.group.members[0]!;
    expect(member.services['Cisco SIP Proxy']).toBe('running');
    expect(member.servicesDownSince).toEqual({});
  });

  it('refuses an unregistered node and a bad token (401), and another node’s own token (403)', async () => {
    const { a, b } = await w.normalPair();
    // A token we signed for a node that is not registered (say, deleted since).
    const ghostToken = issueNodeToken(await w.ports.nodeTokens.keyRing(), 'ghost', 1);
    await expect(w.beat({ ...a, id: 'ghost', token: ghostToken })).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(w.beat({ ...a, token: 'prgn.nope.nope' })).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(w.beat({ ...a, token: 'not-even-a-token' })).rejects.toBeInstanceOf(UnauthorizedError);
    const other = w.beat({ ...a, token: b.token });
    await expect(other).rejects.toBeInstanceOf(ForbiddenError);
    await expect(other).rejects.toThrow(/imp-b/);
    // None of them changed the group.
    expect(await w.states()).toEqual([
      ['NORMAL', 'NORMAL'],
      ['NORMAL', 'NORMAL'],
    ]);
  });

  it('an unknown node and a wrong token get the same refusal, so node ids cannot be enumerated', async () => {
    const { a } = await w.normalPair();
    const ghostToken = issueNodeToken(await w.ports.nodeTokens.keyRing(), 'ghost', 1);
    const unknown = await w.beat({ ...a, id: 'ghost', token: ghostToken }).catch((e: unknown) => e);
    const forged = await w.beat({ ...a, id: 'imp-a', token: 'prgn.nope.nope' }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(UnauthorizedError);
    expect(forged).toBeInstanceOf(UnauthorizedError);
    const words = (e: unknown, id: string) => (e as Error).message.replaceAll(id, '<node>');
    expect(words(unknown, 'ghost')).toBe(words(forged, 'imp-a'));
    // Nor with a real token of another node: its MAC is all that is judged, so a registered
    // and an unknown node id get the same 403.
    const onGhost = await w.beat({ ...a, id: 'ghost' }).catch((e: unknown) => e);
    const onPeer = await w.beat({ ...a, id: 'imp-b' }).catch((e: unknown) => e);
    expect(onGhost).toBeInstanceOf(ForbiddenError);
    expect(words(onGhost, 'ghost')).toBe(words(onPeer, 'imp-b'));
  });

  it('a forged token does not push the real node off the one-write path', async () => {
    const { a, b } = await w.normalPair();
    await w.beatBoth(a, b); // warm
    w.clock.advance(1000);
    await expect(w.beat({ ...a, token: 'prgn.forged.token' })).rejects.toBeInstanceOf(UnauthorizedError);
    w.db.calls.length = 0;
    await w.beat(a);
    expect(w.db.calls).toEqual(['groups.steadyHeartbeat']);
  });

  it('a rotated token stops working at once, even on the one-write path', async () => {
    const { a, b } = await w.normalPair();
    await w.beatBoth(a, b); // warm: the next heartbeat would be one write
    const old = a.token;
    const { token } = await rotateToken(w.ports, 'imp-a');
    w.clock.advance(1000);
    await expect(w.beat({ ...a, token: old })).rejects.toBeInstanceOf(UnauthorizedError);
    a.token = token;
    expect((await w.beat(a)).state).toBe('NORMAL');
    w.db.calls.length = 0;
    await w.beat(a);
    expect(w.db.calls).toEqual(['groups.steadyHeartbeat']);
  });

  it('a token rotated while another request decides for the group: the old token stays refused, the new one gets the one-write path', async () => {
    const { a, b } = await w.normalPair();
    await w.beatBoth(a, b);
    // b's next heartbeat reports a fault, so it reads, decides and writes the group; the
    // rotation of a's token happens between its read and its write.
    let rotated: string | null = null;
    w.groups.afterGet = async () => {
      w.groups.afterGet = null;
      rotated = (await rotateToken(w.ports, 'imp-a')).token;
    };
    w.clock.advance(1000);
    b.services['Cisco SIP Proxy'] = 'stopped';
    expect((await w.beat(b)).state).toBe('NORMAL');
    // b's decision lost against the rotation's version bump and was made again on what it wrote.
    expect(w.groups.versionConflicts).toEqual(['prg-1']);
    const stored = (await w.ports.groups.get('prg-1'))!;
    expect(stored.tokens['imp-a']).toBe((await w.ports.nodes.get('imp-a'))!.tokenHash);
    expect(stored.group.members[1]!.servicesDownSince).toHaveProperty(['Cisco SIP Proxy']);
    const old = a.token;
    a.token = rotated!;
    w.clock.advance(1000);
    expect((await w.beat(a)).state).toBe('NORMAL');
    w.db.calls.length = 0;
    await w.beat(a);
    expect(w.db.calls).toEqual(['groups.steadyHeartbeat']);
    await expect(w.beat({ ...a, token: old })).rejects.toBeInstanceOf(UnauthorizedError);
  });
});
