import { beforeEach, describe, expect, it } from 'vitest';
import { apiHarness, type ApiHarness } from '../../support/apiHarness';
import { beat, normalPair, states } from '../../support/apiPair';
import { localContext } from '../../../local/apiGatewayEvent';
import { SILENCE_BUCKET_MS, SWEEP_SHARDS } from '../../../lambdas/contract';

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
});

const runSweep = () =>
  h.handlers.sweep({}, localContext('sweep')) as Promise<{ visited: number; changed: string[] }>;

describe('the minute sweep', () => {
  it('visits no group while both nodes keep talking and no timer runs', async () => {
    const { a, b } = await normalPair(h);
    h.clock.t += 1000;
    await beat(h, a);
    await beat(h, b);
    h.dynamoCalls.length = 0;
    expect(await runSweep()).toMatchObject({ visited: 0, changed: [] });
    // Queries only (one per shard of the two sweep indexes, and the outbox's): no scan,
    // no read of any group.
    expect(h.dynamoCalls.filter((c) => c !== 'QueryCommand')).toEqual([]);
    expect(h.dynamoCalls.length).toBeGreaterThanOrEqual(2 * SWEEP_SHARDS);
  });

  it('starts the workflow of an operation again when its first start was lost', async () => {
    const { a, b } = await normalPair(h);
    const { StartExecutionCommand } = await import('@aws-sdk/client-sfn');
    h.sfn.on(StartExecutionCommand).rejectsOnce(new Error('Step Functions unavailable'));
    const f = await h.call('POST', '/v1/groups/prg-1/failover', { body: { nodeId: 'imp-a' } });
    expect(f.status).toBe(202);
    // The decision is stored; its workflow did not start. imp-a obeys its stop order (so the
    // take-over is not failed for a node still running its services); a minute later the
    // sweep starts the workflow.
    for (const s of Object.keys(a.services)) a.services[s] = 'stopped';
    for (let s = 0; s < 61; s++) {
      h.clock.t += 1000;
      await beat(h, a);
      await beat(h, b);
    }
    expect(await runSweep()).toMatchObject({ restarted: ['prg-1'] });
    const calls = h.sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name);
    expect(calls).toEqual([`prg-1--${f.body.operation.id}`, `prg-1--${f.body.operation.id}`]);
  });

  it('finds a pair where nobody speaks any more: both Unknown', async () => {
    await normalPair(h);
    // Its silence deadline is kept in buckets (so that heartbeats do not rewrite the
    // index): the sweep finds it once the bucket holding keepAliveTimeout has passed.
    h.clock.t += SILENCE_BUCKET_MS + 4000;
    expect(await runSweep()).toMatchObject({ visited: 1, changed: ['prg-1'] });
    expect(await states(h)).toEqual([
      ['UNKNOWN', 'UNKNOWN'],
      ['UNKNOWN', 'UNKNOWN'],
    ]);
    // Settled: nothing left for the sweep to find.
    h.clock.t += 60_000;
    expect(await runSweep()).toMatchObject({ visited: 0 });
  });

  it('a node never heard from: the initialization window runs out and its peer takes over (Peer Down During Initialization)', async () => {
    await h.call('PATCH', '/v1/clusters/c1/parameters', {
      body: { keepAliveInterval: 1, keepAliveTimeout: 3, initializationKeepAliveTimeout: 6 },
    });
    const { registerNode } = await import('../../support/apiPair');
    const a = await registerNode(h, 'imp-a');
    await registerNode(h, 'imp-b');
    await beat(h, a);
    await h.call('POST', '/v1/groups', {
      body: { name: 'prg-1', nodes: ['imp-a', 'imp-b'], highAvailability: true },
    });
    for (let s = 0; s < 6; s++) {
      h.clock.t += 1000;
      await beat(h, a);
    }
    h.clock.t += 500;
    await runSweep();
    expect(await states(h)).toEqual([
      ['TAKING_OVER', 'PEER_DOWN_DURING_INITIALIZATION'],
      ['DOWN', 'INITIALIZATION'],
    ]);
    expect(h.started()).toEqual([expect.objectContaining({ workflow: 'TAKE_OVER', fromNode: 'imp-b' })]);
  });
});
