import { beforeEach, describe, expect, it } from 'vitest';
import { apiHarness, type ApiHarness } from '../../support/apiHarness';
import { beat, normalPair, states, type NodeAgent } from '../../support/apiPair';
import { obeyStop, obeyStopOfTakeOver } from '../../support/obeyStopApi';
import { runTask as runTaskWith, TransientError } from '../../../lambdas/handlers/workflowTask';
import type { WorkflowTask } from '../../../lambdas/app';
import { localContext } from '../../../local/apiGatewayEvent';

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
});
const runTask = (task: WorkflowTask) => runTaskWith(h.ports, task);

/** imp-a loses a service past the delay, its users move to imp-b, then the service runs again. */
async function failOverThenRepair(a: NodeAgent, b: NodeAgent): Promise<void> {
  a.services['Cisco XCP Router'] = 'stopped';
  for (let s = 0; s < 3; s++) {
    h.clock.t += 1000;
    await beat(h, a);
    await beat(h, b);
  }
  const takeOver = h.started().find((w) => w.workflow === 'TAKE_OVER');
  await obeyStopOfTakeOver(h, a, b);
  await runTask({ task: 'moveUsers', group: 'prg-1', operationId: takeOver.operationId });
  for (const s of Object.keys(a.services)) a.services[s] = 'running';
  h.clock.t += 1000;
  await beat(h, a);
  await beat(h, b);
}

describe('workflow tasks (the Lambda behind every Task state)', () => {
  it('moveUsers completes the take-over and reports the users moved; a repeated delivery is superseded', async () => {
    const { a } = await normalPair(h);
    await h.call('PUT', '/v1/enterprise-parameters', { body: { userAssignmentMode: 'ACTIVE_STANDBY' } });
    for (const userId of ['u1', 'u2', 'u3']) {
      expect((await h.call('POST', '/v1/users', { body: { userId, clusterId: 'c1' } })).status).toBe(201);
    }
    const f = await h.call('POST', '/v1/groups/prg-1/failover', { body: { nodeId: 'imp-a' } });
    await obeyStop(h, a);
    const task = { task: 'moveUsers' as const, group: 'prg-1', operationId: f.body.operation.id };
    expect(await h.handlers.workflowTask(task, localContext('workflowTask'))).toEqual({
      outcome: 'moved',
      users: 3,
    });
    expect(await runTask(task)).toEqual({ outcome: 'superseded', users: 0 });
    expect((await h.call('GET', '/v1/users/u1')).body.currentNode).toBe('imp-b');
    expect(h.published().find((e) => e.detailType === 'UsersMoved')).toMatchObject({
      fromNode: 'imp-a',
      toNode: 'imp-b',
    });
  });

  it('checkOperation says ENDED for an operation that no longer runs', async () => {
    await normalPair(h);
    expect(
      await runTask({ task: 'checkOperation', group: 'prg-1', operationId: 'take-over-9' }),
    ).toMatchObject({
      phase: 'ENDED',
    });
  });

  it('checkOperation fails the fallback when the node does not start its services within initializationKeepAliveTimeout', async () => {
    const { a, b } = await normalPair(h);
    const f = await h.call('POST', '/v1/groups/prg-1/failover', { body: { nodeId: 'imp-a' } });
    await obeyStop(h, a);
    await runTask({ task: 'moveUsers', group: 'prg-1', operationId: f.body.operation.id });
    // Idle, it stopped its services as ordered; then the start order does not work for one.
    for (const s of Object.keys(a.services)) a.services[s] = 'stopped';
    h.clock.t += 1000;
    await beat(h, a);
    await beat(h, b);
    const fb = await h.call('POST', '/v1/groups/prg-1/fallback', { body: { nodeId: 'imp-a' } });
    expect(fb.status).toBe(202);
    for (const s of Object.keys(a.services)) a.services[s] = 'running';
    a.services['Cisco XCP Router'] = 'stopped';
    for (let s = 0; s < 7; s++) {
      h.clock.t += 1000;
      await beat(h, a);
      await beat(h, b);
    }
    expect(
      await runTask({ task: 'checkOperation', group: 'prg-1', operationId: fb.body.operation.id }),
    ).toMatchObject({
      phase: 'ENDED',
    });
    expect(await states(h)).toEqual([
      ['RUNNING_IN_FAILED_MODE', 'START_OF_CRITICAL_SERVICES_FAILED'],
      ['RUNNING_IN_FAILED_MODE', 'START_OF_CRITICAL_SERVICES_FAILED'],
    ]);
  });

  it('automaticFallbackDue starts the fallback once the node stayed healthy, and not before', async () => {
    const { a, b } = await normalPair(h);
    await h.call('PATCH', '/v1/clusters/c1/parameters', { body: { enableAutomaticFallback: true } });
    await failOverThenRepair(a, b);
    const timer = h.started().find((w) => w.workflow === 'AUTO_FALLBACK');
    expect(timer).toMatchObject({ fromNode: 'imp-b', toNode: 'imp-a', waitSeconds: 5 });
    expect(
      await runTask({ task: 'automaticFallbackDue', group: 'prg-1', timerId: timer.operationId }),
    ).toEqual({
      started: false,
    });
    for (let s = 0; s < 5; s++) {
      h.clock.t += 1000;
      await beat(h, b);
      await beat(h, a);
    }
    expect(await states(h)).toEqual([
      ['TAKING_BACK', 'AUTOMATIC_FALLBACK'],
      ['FALLING_BACK', 'AUTOMATIC_FALLBACK'],
    ]);
  });

  it('a throttled DynamoDB call that outlives the SDK retries surfaces as TransientError, which the ASL retries', async () => {
    await normalPair(h);
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ProvisionedThroughputExceededException',
    });
    const original = h.ports.groups.get.bind(h.ports.groups);
    h.ports.groups.get = async () => {
      throw throttled;
    };
    await expect(
      runTask({ task: 'checkOperation', group: 'prg-1', operationId: 'x' }),
    ).rejects.toBeInstanceOf(TransientError);
    h.ports.groups.get = original;
  });

  it('a group other requests kept changing is retried by the workflow, not reported as a failed user move', async () => {
    const { a } = await normalPair(h);
    const f = await h.call('POST', '/v1/groups/prg-1/failover', { body: { nodeId: 'imp-a' } });
    await obeyStop(h, a);
    const save = h.ports.groups.save.bind(h.ports.groups);
    h.ports.groups.save = async () => {
      const { VersionConflictError } = await import('../../../lambdas/app');
      throw new VersionConflictError('group prg-1');
    };
    await expect(
      runTask({ task: 'moveUsers', group: 'prg-1', operationId: f.body.operation.id }),
    ).rejects.toBeInstanceOf(TransientError);
    h.ports.groups.save = save;
    expect(
      await runTask({ task: 'moveUsers', group: 'prg-1', operationId: f.body.operation.id }),
    ).toMatchObject({
      outcome: 'moved',
    });
  });

  it('enabling automatic fallback while a node is already failed over and healthy schedules it at once', async () => {
    const { a, b } = await normalPair(h);
    await failOverThenRepair(a, b);
    expect((await h.call('GET', '/v1/groups/prg-1')).body.automaticFallbackAt).toBeNull();
    await h.call('PATCH', '/v1/clusters/c1/parameters', { body: { enableAutomaticFallback: true } });
    expect((await h.call('GET', '/v1/groups/prg-1')).body.automaticFallbackAt).not.toBeNull();
    expect(h.started().some((w) => w.workflow === 'AUTO_FALLBACK')).toBe(true);
  });
});
