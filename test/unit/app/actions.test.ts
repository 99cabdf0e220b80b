import { beforeEach, describe, expect, it } from 'vitest';
import { reasonLabel, stateLabel, type NodeStatus } from '../../../lambdas/core';
import {
  checkOperation,
  ConflictError,
  failover,
  fallback,
  getGroup,
  groupView,
  moveUsers,
  NotFoundError,
  recover,
  reportFailure,
} from '../../../lambdas/app';
import { world, type World } from './world';
import { obeyStop } from './obeyStop';

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

/** The states a refusal names, with the labels the API shows next to them. */
const labelled = (states: NodeStatus[]) =>
  states.map((s) => ({
    ...s,
    stateLabel: s.state && stateLabel(s.state),
    reasonLabel: s.reason && reasonLabel(s.reason),
  }));

async function failedOverByHand() {
  const pair = await w.normalPair();
  const f = await failover(w.ports, 'prg-1', 'imp-a');
  await obeyStop(w, pair.a);
  await moveUsers(w.ports, 'prg-1', f.operation!.id);
  return pair;
}

describe('manual failover', () => {
  it('is accepted with its operation, whose workflow starts; both nodes show the failover', async () => {
    await w.normalPair();
    const accepted = await failover(w.ports, 'prg-1', 'imp-a');
    expect(accepted).toEqual({
      group: 'prg-1',
      epoch: expect.any(Number),
      operation: {
        id: expect.stringMatching(/^take-over-1-[0-9a-z]+$/),
        kind: 'TAKE_OVER',
        fromNode: 'imp-a',
        toNode: 'imp-b',
      },
    });
    expect(w.started()).toEqual([
      {
        group: 'prg-1',
        operationId: accepted.operation!.id,
        workflow: 'TAKE_OVER',
        fromNode: 'imp-a',
        toNode: 'imp-b',
      },
    ]);
    expect(await w.states()).toEqual([
      ['FAILING_OVER', 'ON_ADMIN_REQUEST'],
      ['TAKING_OVER', 'ON_ADMIN_REQUEST'],
    ]);
    expect(w.published().map((e) => e.detailType)).toContain('FailoverStarted');
    // Counted, with no detection latency: nothing failed, an operator asked.
    expect(w.metrics.recorded).toEqual([['Failovers', 1]]);
  });

  it('is refused naming both states, labelled, when a node is not Normal; nothing starts', async () => {
    await failedOverByHand();
    const started = w.started().length;
    const e = await conflict(failover(w.ports, 'prg-1', 'imp-b'));
    expect(e.code).toBe('STATE_CONFLICT');
    expect(labelled(e.states)).toEqual([
      {
        nodeId: 'imp-a',
        state: 'IDLE',
        stateLabel: 'Idle',
        reason: 'ON_ADMIN_REQUEST',
        reasonLabel: expect.any(String),
      },
      {
        nodeId: 'imp-b',
        state: 'RUNNING_IN_BACKUP_MODE',
        stateLabel: 'Running in Backup Mode',
        reason: 'ON_ADMIN_REQUEST',
        reasonLabel: expect.any(String),
      },
    ]);
    expect(w.started()).toHaveLength(started);
  });

  it('of a node that is not in the group is refused; of an unknown group, not found', async () => {
    await w.normalPair();
    expect((await conflict(failover(w.ports, 'prg-1', 'imp-z'))).code).toBe('NODE_NOT_IN_GROUP');
    await expect(failover(w.ports, 'nope', 'imp-a')).rejects.toBeInstanceOf(NotFoundError);
    expect(await w.states()).toEqual([
      ['NORMAL', 'NORMAL'],
      ['NORMAL', 'NORMAL'],
    ]);
  });

  it('of two failovers decided on the same read, exactly one wins; the other is refused with the states it met', async () => {
    await w.normalPair();
    // Hold each reader until both have read version N: both decide a failover on it.
    const arrived: (() => void)[] = [];
    w.groups.afterGet = () =>
      new Promise<void>((release) => {
        arrived.push(release);
        if (arrived.length === 2) {
          w.groups.afterGet = null;
          for (const r of arrived) r();
        }
      });
    const results = await Promise.allSettled([
      failover(w.ports, 'prg-1', 'imp-a'),
      failover(w.ports, 'prg-1', 'imp-b'),
    ]);
    // The second write met the first one's version and was decided again, on what it wrote.
    expect(w.groups.versionConflicts).toEqual(['prg-1']);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const error = lost[0]!.reason as ConflictError;
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.states.map((s) => s.state).sort()).toEqual(['FAILING_OVER', 'TAKING_OVER']);
    const winner = won[0]!.value.operation!;
    expect(w.started()).toEqual([expect.objectContaining({ operationId: winner.id })]);
    expect(groupView(await getGroup(w.ports, 'prg-1')).operation).toMatchObject({
      id: winner.id,
      fromNode: winner.fromNode,
    });
    expect(w.metrics.recorded).toEqual([['Failovers', 1]]);
  });

  it('of 20 requests at once, exactly one is accepted', async () => {
    await w.normalPair();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => failover(w.ports, 'prg-1', 'imp-a')),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((x) => x.status === 'rejected')) {
      expect(r.reason).toBeInstanceOf(ConflictError);
    }
    expect(w.started()).toHaveLength(1);
  });
});

describe('manual fallback', () => {
  it('to the idle node: Taking Back / Falling Back, its services ordered to start, then both Normal', async () => {
    const { a, b } = await failedOverByHand();
    const res = await fallback(w.ports, 'prg-1', 'imp-a');
    expect(res.operation).toMatchObject({ kind: 'FALL_BACK', fromNode: 'imp-b', toNode: 'imp-a' });
    expect(await w.states()).toEqual([
      ['TAKING_BACK', 'ON_ADMIN_REQUEST'],
      ['FALLING_BACK', 'ON_ADMIN_REQUEST'],
    ]);
    w.clock.advance(1000);
    expect((await w.beat(a)).serviceOrder).toBe('start');
    for (const s of Object.keys(a.services)) a.services[s] = 'running'; // obeying 'start'
    await w.beat(b);
    // Its report from before it was told to start proves nothing: wait for the next one.
    const op = res.operation!.id;
    expect(await checkOperation(w.ports, 'prg-1', op)).toMatchObject({ phase: 'AWAIT_SERVICES' });
    w.clock.advance(1000);
    await w.beat(a);
    // b must also acknowledge that it is falling back (it then serves only its own users).
    expect(await checkOperation(w.ports, 'prg-1', op)).toMatchObject({ phase: 'AWAIT_SERVICES' });
    await w.beat(b);
    expect(await checkOperation(w.ports, 'prg-1', op)).toEqual({ phase: 'MOVE_USERS', waitSeconds: 1 });
    await moveUsers(w.ports, 'prg-1', op);
    expect(await w.states()).toEqual([
      ['NORMAL', 'NORMAL'],
      ['NORMAL', 'NORMAL'],
    ]);
    expect(groupView(await getGroup(w.ports, 'prg-1')).lastOperation).toMatchObject({
      id: op,
      kind: 'FALL_BACK',
      outcome: 'succeeded',
    });
    expect(w.metrics.recorded).toEqual([
      ['Failovers', 1],
      ['Fallbacks', 1],
    ]);
  });

  it('is refused when the node is not failed over', async () => {
    await w.normalPair();
    const e = await conflict(fallback(w.ports, 'prg-1', 'imp-a'));
    expect(e.code).toBe('STATE_CONFLICT');
    expect(e.states.map((s) => s.state)).toEqual(['NORMAL', 'NORMAL']);
    expect(w.started()).toEqual([]);
  });
});

describe('recovery', () => {
  it('is refused unless both nodes are failed; after a failed user move it brings both back to Normal', async () => {
    const { a, b } = await w.normalPair();
    expect((await conflict(recover(w.ports, 'prg-1'))).code).toBe('STATE_CONFLICT');
    const f = await failover(w.ports, 'prg-1', 'imp-a');
    await reportFailure(w.ports, 'prg-1', f.operation!.id, {
      Error: 'UserMoveFailed',
      Cause: 'database write refused',
    });
    expect(await w.states()).toEqual([
      ['RUNNING_IN_FAILED_MODE', 'TAKE_OVER_USERS_FAILED'],
      ['RUNNING_IN_FAILED_MODE', 'TAKE_OVER_USERS_FAILED'],
    ]);
    const view = groupView(await getGroup(w.ports, 'prg-1'));
    expect(view.lastOperation).toMatchObject({ kind: 'TAKE_OVER', outcome: 'failed' });
    expect(view.nodes[0]!.recommendedActions.length).toBeGreaterThan(0);
    expect(
      w.log
        .at('error')
        .map((l) => l.message)
        .join(' '),
    ).toContain('database write refused');
    const res = await recover(w.ports, 'prg-1');
    expect(res.operation).toMatchObject({ kind: 'RECOVER' });
    await moveUsers(w.ports, 'prg-1', res.operation!.id);
    await w.beatBoth(a, b);
    expect(await w.states()).toEqual([
      ['NORMAL', 'NORMAL'],
      ['NORMAL', 'NORMAL'],
    ]);
    expect(w.metrics.recorded).toEqual([
      ['Failovers', 1],
      ['FailedOperations', 1],
      ['Recoveries', 1],
    ]);
  });
});
