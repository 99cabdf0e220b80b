import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_PARAMETERS } from '../../../lambdas/core';
import {
  clusterParameters,
  ConflictError,
  enterpriseParameters,
  getGroup,
  groupView,
  patchClusterParameters,
  putEnterpriseParameters,
  ValidationError,
  moveUsers,
} from '../../../lambdas/app';
import { FAST, world, type Agent, type World } from './world';
import { obeyStopOfTakeOver } from './obeyStop';

let w: World;
beforeEach(() => {
  w = world();
});

async function invalid(act: Promise<unknown>): Promise<string[]> {
  const error = await act.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).errors.map((e) => e.path);
}

describe('cluster parameters', () => {
  it('a cluster never configured has the defaults', async () => {
    expect(await clusterParameters(w.ports, 'c1')).toEqual(DEFAULT_CLUSTER_PARAMETERS);
    expect(DEFAULT_CLUSTER_PARAMETERS).toMatchObject({
      keepAliveInterval: 15,
      keepAliveTimeout: 60,
      criticalServiceDelay: 90,
      enableAutomaticFallback: false,
    });
  });

  it('a change of one value keeps the others; other clusters keep theirs', async () => {
    expect(await patchClusterParameters(w.ports, 'c1', { criticalServiceDelay: 30 })).toEqual({
      ...DEFAULT_CLUSTER_PARAMETERS,
      criticalServiceDelay: 30,
    });
    await patchClusterParameters(w.ports, 'c1', {
      enableAutomaticFallback: true,
      criticalServices: ['Cisco SIP Proxy'],
    });
    expect(await clusterParameters(w.ports, 'c1')).toEqual({
      ...DEFAULT_CLUSTER_PARAMETERS,
      criticalServiceDelay: 30,
      enableAutomaticFallback: true,
      criticalServices: ['Cisco SIP Proxy'],
    });
    expect(await clusterParameters(w.ports, 'c2')).toEqual(DEFAULT_CLUSTER_PARAMETERS);
  });

  it('the cross-field rules are checked on the merged result; a refused change stores nothing', async () => {
    await patchClusterParameters(w.ports, 'c1', { keepAliveTimeout: 45 });
    expect(await invalid(patchClusterParameters(w.ports, 'c1', { keepAliveTimeout: 15 }))).toEqual([
      'keepAliveTimeout',
    ]);
    expect(await invalid(patchClusterParameters(w.ports, 'c1', { keepAliveInterval: 45 }))).toEqual([
      'keepAliveTimeout',
    ]);
    expect(
      await invalid(patchClusterParameters(w.ports, 'c1', { initializationKeepAliveTimeout: 44 })),
    ).toEqual(['initializationKeepAliveTimeout']);
    expect(await clusterParameters(w.ports, 'c1')).toEqual({
      ...DEFAULT_CLUSTER_PARAMETERS,
      keepAliveTimeout: 45,
    });
    // Raised together, they are accepted.
    const body = { keepAliveInterval: 90, keepAliveTimeout: 300, initializationKeepAliveTimeout: 600 };
    await patchClusterParameters(w.ports, 'c1', body);
    expect(await clusterParameters(w.ports, 'c1')).toEqual({ ...DEFAULT_CLUSTER_PARAMETERS, ...body });
  });

  it('of two changes decided on the same read, the second is refused and the first is kept', async () => {
    const results = await Promise.allSettled([
      patchClusterParameters(w.ports, 'c1', { criticalServiceDelay: 30 }),
      patchClusterParameters(w.ports, 'c1', { automaticFallbackDelay: 600 }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    const lost = results[1] as PromiseRejectedResult;
    expect(lost.reason).toBeInstanceOf(ConflictError);
    expect(lost.reason.code).toBe('CONCURRENT_UPDATE');
    expect(await clusterParameters(w.ports, 'c1')).toEqual({
      ...DEFAULT_CLUSTER_PARAMETERS,
      criticalServiceDelay: 30,
    });
  });
});

describe("a change re-judges the cluster's groups at once", () => {
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

  it('enabling automatic fallback while a node is failed over and healthy schedules it now', async () => {
    const { a, b } = await w.normalPair();
    await failOverThenRepair(a, b);
    expect(groupView(await getGroup(w.ports, 'prg-1')).automaticFallbackAt).toBeNull();
    await patchClusterParameters(w.ports, 'c1', { enableAutomaticFallback: true });
    expect(groupView(await getGroup(w.ports, 'prg-1')).automaticFallbackAt).toBe(
      new Date(w.clock.t + FAST.automaticFallbackDelay * 1000).toISOString(),
    );
    expect(w.started().map((s) => s.workflow)).toEqual(['TAKE_OVER', 'AUTO_FALLBACK']);
  });

  it('a shorter critical-service delay fails over a node whose fault has lasted longer, without a heartbeat', async () => {
    const { a, b } = await w.normalPair();
    await patchClusterParameters(w.ports, 'c1', { criticalServiceDelay: 60 });
    a.services['Cisco SIP Proxy'] = 'stopped';
    await w.beatBoth(a, b, 10);
    expect((await w.states())[0]).toEqual(['NORMAL', 'NORMAL']);
    // A warm heartbeat function still believes the delay is 60 s; the change itself decides.
    await patchClusterParameters(w.ports, 'c1', { criticalServiceDelay: 5 });
    expect(await w.states()).toEqual([
      ['FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING', 'CRITICAL_SERVICE_DOWN'],
      ['TAKING_OVER', 'CRITICAL_SERVICE_DOWN'],
    ]);
    expect(w.started()).toEqual([expect.objectContaining({ workflow: 'TAKE_OVER', fromNode: 'imp-a' })]);
  });

  it("another cluster's groups are left alone", async () => {
    await w.normalPair();
    const version = (await getGroup(w.ports, 'prg-1')).version;
    await patchClusterParameters(w.ports, 'c2', { criticalServiceDelay: 5 });
    expect((await getGroup(w.ports, 'prg-1')).version).toBe(version);
  });

  it('a group that cannot be re-judged now is logged, and the change is kept', async () => {
    await w.normalPair();
    w.groups.afterGet = async () => {
      throw new Error('ProvisionedThroughputExceededException');
    };
    await patchClusterParameters(w.ports, 'c1', { criticalServiceDelay: 5 });
    w.groups.afterGet = null;
    expect((await clusterParameters(w.ports, 'c1')).criticalServiceDelay).toBe(5);
    expect(w.log.at('warn').map((l) => l.message)).toEqual([expect.stringContaining('prg-1')]);
  });
});

describe('enterprise parameters', () => {
  it('the default user assignment mode is BALANCED; ACTIVE_STANDBY is kept, then NONE', async () => {
    expect(await enterpriseParameters(w.ports)).toEqual({ userAssignmentMode: 'BALANCED' });
    for (const userAssignmentMode of ['ACTIVE_STANDBY', 'NONE'] as const) {
      await putEnterpriseParameters(w.ports, { userAssignmentMode });
      expect(await enterpriseParameters(w.ports)).toEqual({ userAssignmentMode });
    }
  });
});
