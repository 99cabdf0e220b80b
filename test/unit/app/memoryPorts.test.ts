import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DEFAULT_NODE_PARAMETERS,
  newGroup,
  nextTimerDueAt,
  pairSilentAt,
  servicesReportedDown,
  transition,
  type GroupEvent,
  type GroupState,
  type ClusterParameters,
} from '../../../lambdas/core';
import { ConflictError, VersionConflictError, type GroupRecord, type NodeRecord } from '../../../lambdas/app';
import { memoryPorts } from '../../support/memory';
import { scenario, simulate } from '../../support/pairCommands';

/**
 * The fakes stand in for DynamoDB in the use-case tests, so they must keep its promises.
 * These tests hold them to the adapters' contracts, the way the integration tests hold
 * the adapters to DynamoDB Local.
 */

const node = (nodeId: string, tokenHash = `hash-${nodeId}`): NodeRecord => ({
  nodeId,
  hostname: `${nodeId}.example.com`,
  clusterId: 'c1',
  softwareVersion: '15.0',
  publisherId: 'pub-1',
  tokenHash,
  group: null,
  parameters: { ...DEFAULT_NODE_PARAMETERS },
  userCount: 0,
  lastHeartbeat: null,
  registeredAt: '2026-11-25T09:00:00.000Z',
});

const record = (group: GroupState, version = 1): GroupRecord => ({
  group,
  clusterId: 'c1',
  description: '',
  version,
  tokens: Object.fromEntries(group.nodes.map((n) => [n, `hash-${n}`])),
  createdAt: '',
  updatedAt: '',
});

const NO_INDEX = { timerDueAt: null, silentAt: null };

async function pair() {
  const m = memoryPorts();
  await m.nodes.create(node('imp-a'));
  await m.nodes.create(node('imp-b'));
  await m.nodes.create(node('imp-c'));
  await m.groups.create(record(newGroup('prg-1', ['imp-a', 'imp-b'])), NO_INDEX);
  return m;
}

describe('the in-memory group repository', () => {
  it('a save on a version that moved on is refused with VersionConflictError and changes nothing', async () => {
    const m = await pair();
    const read = (await m.groups.get('prg-1'))!;
    await m.groups.save({ ...read, description: 'first', version: 2 }, 1, NO_INDEX);
    await expect(
      m.groups.save({ ...read, description: 'second', version: 2 }, 1, NO_INDEX),
    ).rejects.toBeInstanceOf(VersionConflictError);
    expect((await m.groups.get('prg-1'))!.description).toBe('first');
  });

  it('creation is refused for a taken name, a node in another group, or a token rotated meanwhile; nothing is written', async () => {
    const m = await pair();
    const taken = await m.groups.create(record(newGroup('prg-1', ['imp-c'])), NO_INDEX).catch((e) => e);
    expect(taken).toBeInstanceOf(ConflictError);
    expect(taken.code).toBe('ALREADY_EXISTS');
    const member = await m.groups
      .create(record(newGroup('prg-2', ['imp-c', 'imp-b'])), NO_INDEX)
      .catch((e) => e);
    expect(member.code).toBe('IN_USE');
    const rotated = record(newGroup('prg-3', ['imp-c']));
    rotated.tokens['imp-c'] = 'an-old-hash';
    expect((await m.groups.create(rotated, NO_INDEX).catch((e) => e)).code).toBe('IN_USE');
    expect((await m.nodes.get('imp-c'))!.group).toBeNull();
    expect((await m.groups.list('')).map((g) => g.group.name)).toEqual(['prg-1']);
  });

  it('what a reader holds is a copy: changing it changes nothing stored', async () => {
    const m = await pair();
    const read = (await m.groups.get('prg-1'))!;
    read.group.members[0]!.lastHeartbeatAt = 42;
    read.tokens['imp-a'] = 'x';
    expect((await m.groups.get('prg-1'))!.group.members[0]!.lastHeartbeatAt).toBeNull();
    expect((await m.groups.get('prg-1'))!.tokens['imp-a']).toBe('hash-imp-a');
  });

  it('due(now) answers from the stored index, not from the group', async () => {
    const m = await pair();
    const read = (await m.groups.get('prg-1'))!;
    await m.groups.save({ ...read, version: 2 }, 1, { timerDueAt: 1000, silentAt: null });
    expect(await m.groups.due(999)).toEqual([]);
    expect(await m.groups.due(1000)).toEqual(['prg-1']);
    await m.groups.save({ ...read, version: 3 }, 2, NO_INDEX);
    expect(await m.groups.due(5000)).toEqual([]);
  });

  it('rotating a token in a group changes the group’s copy and moves its version; a stale group is refused', async () => {
    const m = await pair();
    await m.nodes.rotateTokenHash('imp-a', 'prg-1', 'new-hash', { from: null, to: 2 });
    const g = (await m.groups.get('prg-1'))!;
    expect([g.tokens['imp-a'], g.version]).toEqual(['new-hash', 2]);
    expect((await m.nodes.get('imp-a'))!.tokenHash).toBe('new-hash');
    const stale = await m.nodes.rotateTokenHash('imp-c', 'prg-1', 'h', { from: null, to: 2 }).catch((e) => e);
    expect(stale.code).toBe('CONCURRENT_UPDATE');
    expect((await m.nodes.get('imp-c'))!.tokenHash).toBe('hash-imp-c');
  });
});

describe('the in-memory user repository', () => {
  it('keeps the node counts with every home change, and refuses a change from a home that moved', async () => {
    const m = await pair();
    const user = { userId: 'u1', clusterId: 'c1', homeNode: 'imp-a', createdAt: '' };
    await m.users.create(user);
    await m.users.setHome(user, 'imp-b');
    const stale = await m.users.setHome(user, 'imp-c').catch((e) => e);
    expect(stale.code).toBe('CONCURRENT_UPDATE');
    const counts = async () => (await m.nodes.list()).map((n) => n.userCount);
    expect(await counts()).toEqual([0, 1, 0]);
    expect(await m.users.listByHome('imp-b', 10)).toEqual(['u1']);
    await m.users.remove({ ...user, homeNode: 'imp-b' });
    expect(await counts()).toEqual([0, 0, 0]);
  });
});

describe('the in-memory steady heartbeat', () => {
  it('writes exactly when the core says the heartbeat is steady, and writes what the state machine would', async () => {
    let checked = 0;
    let written = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const beats: {
          group: GroupState;
          event: Extract<GroupEvent, { type: 'Heartbeat' }>;
          now: number;
          params: ClusterParameters;
        }[] = [];
        simulate(s, (sim) => {
          sim.observer = (group, event, now) => {
            if (event.type === 'Heartbeat') beats.push({ group, event, now, params: sim.params });
          };
        });
        for (const { group, event, now, params } of beats.slice(0, 25)) {
          const m = memoryPorts();
          const index = { timerDueAt: nextTimerDueAt(group, params), silentAt: pairSilentAt(group, params) };
          m.db.groups.set(group.name, { record: record(group), ...index, swept: true });
          const write = {
            group: group.name,
            memberIndex: group.members.findIndex((x) => x.nodeId === event.nodeId),
            nodeId: event.nodeId,
            tokenHash: `hash-${event.nodeId}`,
            heartbeat: event.heartbeat,
            servicesDown: servicesReportedDown(event.heartbeat, params),
            now,
            params,
          };
          // Never with another node's token, nor at another position.
          expect((await m.groups.steadyHeartbeat({ ...write, tokenHash: 'hash-other' })).written).toBe(false);
          expect(
            (await m.groups.steadyHeartbeat({ ...write, memberIndex: 1 - write.memberIndex })).written,
          ).toBe(false);
          const decided = transition(group, event, now, params);
          const out = await m.groups.steadyHeartbeat(write);
          checked += 1;
          if (out.written) {
            written += 1;
            // Nothing but the facts changed, exactly as the state machine would have decided.
            expect(decided.effects).toEqual([]);
            expect(out.record.group).toEqual(decided.group);
            expect(out.record.version).toBe(2);
          } else {
            expect((await m.groups.get(group.name))!.version).toBe(1);
          }
        }
      }),
      { numRuns: 60 },
    );
    // Both answers must actually occur for the agreement to mean anything.
    expect(written).toBeGreaterThan(50);
    expect(checked - written).toBeGreaterThan(50);
  });
});
