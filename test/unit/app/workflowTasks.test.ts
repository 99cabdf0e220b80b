import { beforeEach, describe, expect, it } from 'vitest';
import {
  addUser,
  automaticFallbackDue,
  checkOperation,
  ConflictError,
  deleteGroup,
  failover,
  fallback,
  getGroup,
  getUser,
  groupView,
  moveUsers,
  patchClusterParameters,
  putEnterpriseParameters,
  reportFailure,
  rotateToken,
  updateGroup,
} from '../../../lambdas/app';
import { world, type Agent, type World } from './world';
import { obeyStop, obeyStopOfTakeOver } from './obeyStop';

let w: World;
beforeEach(() => {
  w = world();
});

/** imp-a loses a service past the delay, its users move to imp-b, then the service runs again. */
async function failOverThenRepair(a: Agent, b: Agent): Promise<void> {
  a.services['Cisco XCP Router'] = 'stopped';
  await w.beatBoth(a, b, 3);
  const takeOver = w.started().find((s) => s.workflow === 'TAKE_OVER')!;
  await obeyStopOfTakeOver(w, a, b);
  await moveUsers(w.ports, 'prg-1', takeOver.operationId);
  for (const s of Object.keys(a.services)) a.services[s] = 'running';
  await w.beatBoth(a, b);
}

describe('workflow tasks', () => {
  it('an automatic take-over, step by step: its users move and the peer runs in backup mode', async () => {
    const { a, b } = await w.normalPair();
    await putEnterpriseParameters(w.ports, { userAssignmentMode: 'ACTIVE_STANDBY' });
    for (const userId of ['u1', 'u2', 'u3']) await addUser(w.ports, { userId, clusterId: 'c1' });
    // imp-a loses a critical service; after criticalServiceDelay the take-over starts.
    a.services['Cisco XCP Router'] = 'stopped';
    await w.beatBoth(a, b, 3);
    const [run] = w.started();
    expect(run).toMatchObject({ workflow: 'TAKE_OVER', fromNode: 'imp-a', toNode: 'imp-b' });
    expect(await w.states()).toEqual([
      ['FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING', 'CRITICAL_SERVICE_DOWN'],
      ['TAKING_OVER', 'CRITICAL_SERVICE_DOWN'],
    ]);
    expect((await getUser(w.ports, 'u1')).currentNode).toBe('imp-a');
    // The workflow's steps: it waits while imp-a may still serve, then moves the users.
    expect(await checkOperation(w.ports, 'prg-1', run!.operationId)).toMatchObject({ phase: 'AWAIT_STOP' });
    await obeyStopOfTakeOver(w, a, b);
    expect((await getUser(w.ports, 'u1')).currentNode).toBe('imp-a');
    expect(await checkOperation(w.ports, 'prg-1', run!.operationId)).toMatchObject({ phase: 'MOVE_USERS' });
    expect(await moveUsers(w.ports, 'prg-1', run!.operationId)).toEqual({ outcome: 'moved', users: 3 });
    expect(await checkOperation(w.ports, 'prg-1', run!.operationId)).toMatchObject({ phase: 'ENDED' });
    expect(await w.states()).toEqual([
      ['FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING', 'CRITICAL_SERVICE_DOWN'],
      ['RUNNING_IN_BACKUP_MODE', 'CRITICAL_SERVICE_DOWN'],
    ]);
    expect(groupView(await getGroup(w.ports, 'prg-1')).failedOver).toBe('imp-a');
    expect((await getUser(w.ports, 'u1')).currentNode).toBe('imp-b');
    expect(w.published().find((e) => e.detailType === 'UsersMoved')).toMatchObject({
      fromNode: 'imp-a',
      toNode: 'imp-b',
    });
    // The nodes hear what to do on their next heartbeats.
    w.clock.advance(1000);
    expect((await w.beat(b)).state).toBe('RUNNING_IN_BACKUP_MODE');
  });

  it('a manual take-over, step by step, to Idle and Running in Backup Mode; a repeated delivery is superseded', async () => {
    const { a, b } = await w.normalPair();
    const f = await failover(w.ports, 'prg-1', 'imp-a');
    const op = f.operation!.id;
    expect(await w.states()).toEqual([
      ['FAILING_OVER', 'ON_ADMIN_REQUEST'],
      ['TAKING_OVER', 'ON_ADMIN_REQUEST'],
    ]);
    // imp-a keeps its users until it reports its services stopped.
    expect(await checkOperation(w.ports, 'prg-1', op)).toEqual({ phase: 'AWAIT_STOP', waitSeconds: 1 });
    expect(await moveUsers(w.ports, 'prg-1', op)).toEqual({ outcome: 'superseded', users: 0 });
    await obeyStop(w, a);
    expect(await checkOperation(w.ports, 'prg-1', op)).toEqual({ phase: 'MOVE_USERS', waitSeconds: 1 });
    expect(await moveUsers(w.ports, 'prg-1', op)).toEqual({ outcome: 'moved', users: 0 });
    expect(await w.states()).toEqual([
      ['IDLE', 'ON_ADMIN_REQUEST'],
      ['RUNNING_IN_BACKUP_MODE', 'ON_ADMIN_REQUEST'],
    ]);
    expect(await checkOperation(w.ports, 'prg-1', op)).toMatchObject({ phase: 'ENDED' });
    expect(groupView(await getGroup(w.ports, 'prg-1')).lastOperation).toMatchObject({
      id: op,
      kind: 'TAKE_OVER',
      outcome: 'succeeded',
    });
    // The idle node is told to stop its services; the backup keeps running them.
    w.clock.advance(1000);
    expect(await w.beat(a)).toMatchObject({ state: 'IDLE', serviceOrder: 'stop' });
    expect((await w.beat(b)).state).toBe('RUNNING_IN_BACKUP_MODE');
    const version = (await getGroup(w.ports, 'prg-1')).version;
    expect(await moveUsers(w.ports, 'prg-1', op)).toEqual({ outcome: 'superseded', users: 0 });
    expect((await getGroup(w.ports, 'prg-1')).version).toBe(version);
  });

  it('checkOperation says ENDED for an operation that does not run', async () => {
    await w.normalPair();
    expect(await checkOperation(w.ports, 'prg-1', 'take-over-9')).toEqual({ phase: 'ENDED', waitSeconds: 1 });
  });

  it('checkOperation fails the fallback when the node does not start its services within initializationKeepAliveTimeout', async () => {
    const { a, b } = await w.normalPair();
    const f = await failover(w.ports, 'prg-1', 'imp-a');
    await obeyStop(w, a);
    await moveUsers(w.ports, 'prg-1', f.operation!.id);
    for (const s of Object.keys(a.services)) a.services[s] = 'stopped';
    await w.beatBoth(a, b);
    const fb = await fallback(w.ports, 'prg-1', 'imp-a');
    for (const s of Object.keys(a.services)) a.services[s] = 'running';
    a.services['Cisco XCP Router'] = 'stopped';
    await w.beatBoth(a, b, 7);
    expect(await checkOperation(w.ports, 'prg-1', fb.operation!.id)).toMatchObject({ phase: 'ENDED' });
    expect(await w.states()).toEqual([
      ['RUNNING_IN_FAILED_MODE', 'START_OF_CRITICAL_SERVICES_FAILED'],
      ['RUNNING_IN_FAILED_MODE', 'START_OF_CRITICAL_SERVICES_FAILED'],
    ]);
    expect(w.metrics.recorded).toContainEqual(['FailedOperations', 1]);
  });

  it('automaticFallbackDue starts the fallback once the node stayed healthy, and not before', async () => {
    const { a, b } = await w.normalPair();
    await patchClusterParameters(w.ports, 'c1', { enableAutomaticFallback: true });
    await failOverThenRepair(a, b);
    const timer = w.started().find((s) => s.workflow === 'AUTO_FALLBACK')!;
    expect(timer).toMatchObject({ fromNode: 'imp-b', toNode: 'imp-a', waitSeconds: 5 });
    expect(await automaticFallbackDue(w.ports, 'prg-1', timer.operationId)).toEqual({ started: false });
    await w.beatBoth(b, a, 5);
    expect(await w.states()).toEqual([
      ['TAKING_BACK', 'AUTOMATIC_FALLBACK'],
      ['FALLING_BACK', 'AUTOMATIC_FALLBACK'],
    ]);
    expect(w.started().map((s) => s.workflow)).toEqual(['TAKE_OVER', 'AUTO_FALLBACK', 'FALL_BACK']);
  });

  it('a group other requests keep changing is refused as a concurrent update, and done once they stop', async () => {
    const { a } = await w.normalPair();
    const f = await failover(w.ports, 'prg-1', 'imp-a');
    await obeyStop(w, a);
    // Between every read and write of the step, a token rotation bumps the group's version.
    w.groups.afterGet = async () => void (await rotateToken(w.ports, 'imp-b'));
    const error = await moveUsers(w.ports, 'prg-1', f.operation!.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).code).toBe('CONCURRENT_UPDATE');
    expect(w.groups.versionConflicts).toHaveLength(5);
    expect((await w.states())[1]).toEqual(['TAKING_OVER', 'ON_ADMIN_REQUEST']);
    w.groups.afterGet = null;
    expect(await moveUsers(w.ports, 'prg-1', f.operation!.id)).toMatchObject({ outcome: 'moved' });
  });

  it('reportFailure for a group deleted meanwhile has nothing left to fail', async () => {
    await w.normalPair();
    await updateGroup(w.ports, 'prg-1', { highAvailability: false });
    await deleteGroup(w.ports, 'prg-1');
    expect(await reportFailure(w.ports, 'prg-1', 'take-over-1', undefined)).toEqual({});
    expect(w.log.at('error')[0]!.message).toContain('the workflow failed');
  });
});
