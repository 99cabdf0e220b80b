import { beforeEach, describe, expect, it } from 'vitest';
import {
  addUser,
  ConflictError,
  deleteGroup,
  failover,
  getGroup,
  moveUsers,
  rehome,
  REHOME_PAGE,
  rehomeUsersPage,
} from '../../../lambdas/app';
import { world, type World } from './world';

let w: World;
beforeEach(() => {
  w = world();
});

async function conflict(act: Promise<unknown>): Promise<ConflictError> {
  const error = await act.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConflictError);
  return error as ConflictError;
}

/** imp-a failed over by hand (Idle), imp-b serving its users; `n` users, homes chosen by the sync agent. */
async function failedOverWithUsers(n: number) {
  const pair = await w.normalPair();
  for (let i = 0; i < n; i++) await addUser(w.ports, { userId: `u${i}`, clusterId: 'c1' });
  const f = await failover(w.ports, 'prg-1', 'imp-a');
  // imp-a obeys its stop order, as its agent would; its users move once it has stopped.
  for (const service of Object.keys(pair.a.services)) pair.a.services[service] = 'stopped';
  for (let s = 0; s < 60; s++) {
    const group = (await getGroup(w.ports, 'prg-1')).group;
    if (group.operation === null) break;
    if (group.operation.phase === 'MOVE_USERS') await moveUsers(w.ports, 'prg-1', f.operation!.id);
    else await w.beatBoth(pair.a, pair.b, 1);
  }
  expect((await getGroup(w.ports, 'prg-1')).group.failedOver).toBe('imp-a');
  return pair;
}

const homeOf = async (nodeId: string) => (await w.ports.nodes.get(nodeId))!.userCount;

describe('defect 4: deleting a group while a node is failed over sends its users back to a stopped node', () => {
  it('is refused with STATE_CONFLICT and both states while the failed-over node is home to users', async () => {
    await failedOverWithUsers(4);
    const e = await conflict(deleteGroup(w.ports, 'prg-1'));
    expect(e.code).toBe('STATE_CONFLICT');
    expect(e.states.map((s) => [s.nodeId, s.state])).toEqual([
      ['imp-a', 'IDLE'],
      ['imp-b', 'RUNNING_IN_BACKUP_MODE'],
    ]);
    expect(e.message).toMatch(/re-home its users to imp-b/);
    expect(await w.ports.groups.get('prg-1')).not.toBeNull();
  });

  it('is allowed once the failed-over node is home to nobody', async () => {
    await failedOverWithUsers(0);
    await deleteGroup(w.ports, 'prg-1');
    expect(await w.ports.groups.get('prg-1')).toBeNull();
  });
});

describe('re-home', () => {
  it(`moves every user of the failed-over node once, ${REHOME_PAGE} a page, then the group can be deleted`, async () => {
    await failedOverWithUsers(2 * REHOME_PAGE + 2 * 50);
    const users = await homeOf('imp-a');
    expect(users).toBeGreaterThan(REHOME_PAGE);
    const started = await rehome(w.ports, 'prg-1', 'imp-a');
    expect(started).toMatchObject({ fromNode: 'imp-a', toNode: 'imp-b', users });
    expect(w.started().at(-1)).toMatchObject({ workflow: 'REHOME', operationId: started.operationId });
    const pages = [];
    for (;;) {
      const page = await rehomeUsersPage(w.ports, 'prg-1', started.operationId, 'imp-a', 'imp-b');
      pages.push(page);
      if (page.outcome !== 'moving') break;
    }
    expect(pages.map((p) => p.moved).reduce((a, b) => a + b, 0)).toBe(users);
    expect(pages.length).toBe(Math.ceil(users / REHOME_PAGE));
    expect(pages.at(-1)).toMatchObject({ outcome: 'done', remaining: 0 });
    expect(await homeOf('imp-a')).toBe(0);
    // A repeated delivery of the last page moves nobody twice.
    expect(await rehomeUsersPage(w.ports, 'prg-1', started.operationId, 'imp-a', 'imp-b')).toMatchObject({
      outcome: 'done',
      moved: 0,
    });
    await deleteGroup(w.ports, 'prg-1');
    expect(await w.ports.groups.get('prg-1')).toBeNull();
  });

  it('is refused while both nodes are Normal, and for the serving node', async () => {
    await w.normalPair();
    expect((await conflict(rehome(w.ports, 'prg-1', 'imp-a'))).code).toBe('STATE_CONFLICT');
    expect(w.started()).toEqual([]);
  });
});
