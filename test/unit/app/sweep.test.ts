import { beforeEach, describe, expect, it } from 'vitest';
import { failover, patchClusterParameters, sweep } from '../../../lambdas/app';
import { world, type World } from './world';

let w: World;
beforeEach(() => {
  w = world();
});

describe('the minute sweep', () => {
  it('visits no group while both nodes keep talking and no timer runs: one look at the index, no scan', async () => {
    const { a, b } = await w.normalPair();
    await w.beatBoth(a, b);
    w.db.calls.length = 0;
    expect(await sweep(w.ports)).toEqual({ visited: 0, changed: [], restarted: [], failed: [] });
    expect(w.db.calls).toEqual(['groups.due']);
  });

  it("starts an operation's workflow again when its first start was lost", async () => {
    const { a, b } = await w.normalPair();
    w.workflows.failNext();
    const f = await failover(w.ports, 'prg-1', 'imp-a');
    for (const s of Object.keys(a.services)) a.services[s] = 'stopped'; // obeying 'stop'
    // The decision is stored; its workflow did not start, and operators were told.
    expect(w.started()).toEqual([]);
    expect(w.log.at('error')[0]!.message).toContain('workflow TAKE_OVER take-over-1');
    // Within the minute the sweep leaves it alone; after it, starts it (once).
    await w.beatBoth(a, b, 30);
    expect(await sweep(w.ports)).toMatchObject({ restarted: [] });
    await w.beatBoth(a, b, 31);
    expect(await sweep(w.ports)).toMatchObject({ restarted: ['prg-1'] });
    expect(w.started()).toEqual([
      {
        group: 'prg-1',
        operationId: f.operation!.id,
        workflow: 'TAKE_OVER',
        fromNode: 'imp-a',
        toNode: 'imp-b',
      },
    ]);
  });

  it('starting a running workflow again does not run it twice', async () => {
    const { a, b } = await w.normalPair();
    await failover(w.ports, 'prg-1', 'imp-a');
    for (const s of Object.keys(a.services)) a.services[s] = 'stopped'; // obeying 'stop'
    await w.beatBoth(a, b, 61);
    expect(await sweep(w.ports)).toMatchObject({ restarted: ['prg-1'] });
    expect(w.workflows.requests).toHaveLength(2);
    expect(w.started()).toHaveLength(1);
  });

  it('finds a pair where nobody speaks any more: both Unknown, then nothing left to find', async () => {
    await w.normalPair();
    w.clock.advance(4000);
    expect(await sweep(w.ports)).toMatchObject({ visited: 1, changed: ['prg-1'] });
    expect(await w.states()).toEqual([
      ['UNKNOWN', 'UNKNOWN'],
      ['UNKNOWN', 'UNKNOWN'],
    ]);
    w.clock.advance(60_000);
    expect(await sweep(w.ports)).toMatchObject({ visited: 0 });
  });

  it('a node never heard from: when the initialization window runs out, the sweep has its peer take over', async () => {
    await patchClusterParameters(w.ports, 'c1', {
      keepAliveInterval: 1,
      keepAliveTimeout: 3,
      initializationKeepAliveTimeout: 6,
    });
    const a = await w.register('imp-a');
    await w.register('imp-b');
    await w.beat(a);
    await w.createGroup({ name: 'prg-1', nodes: ['imp-a', 'imp-b'], highAvailability: true });
    for (let s = 0; s < 5; s++) {
      w.clock.advance(1000);
      await w.beat(a);
    }
    expect(await sweep(w.ports)).toMatchObject({ visited: 0 });
    // 6.5 s after the group was created; imp-a's last heartbeat (1.5 s ago) arrived before the deadline.
    w.clock.advance(1500);
    expect(await sweep(w.ports)).toMatchObject({ visited: 1, changed: ['prg-1'] });
    expect(await w.states()).toEqual([
      ['TAKING_OVER', 'PEER_DOWN_DURING_INITIALIZATION'],
      ['DOWN', 'INITIALIZATION'],
    ]);
    expect(w.started()).toEqual([expect.objectContaining({ workflow: 'TAKE_OVER', fromNode: 'imp-b' })]);
  });

  it('a heartbeat arriving at that deadline notices it first, and the sweep finds nothing left', async () => {
    await patchClusterParameters(w.ports, 'c1', {
      keepAliveInterval: 1,
      keepAliveTimeout: 3,
      initializationKeepAliveTimeout: 6,
    });
    const a = await w.register('imp-a');
    await w.register('imp-b');
    await w.beat(a);
    await w.createGroup({ name: 'prg-1', nodes: ['imp-a', 'imp-b'], highAvailability: true });
    for (let s = 0; s < 5; s++) {
      w.clock.advance(1000);
      expect((await w.beat(a)).state).toBe('NORMAL');
    }
    w.clock.advance(1000);
    expect(await w.beat(a)).toMatchObject({
      state: 'TAKING_OVER',
      reason: 'PEER_DOWN_DURING_INITIALIZATION',
    });
    w.clock.advance(500);
    expect(await sweep(w.ports)).toMatchObject({ changed: [] });
    expect(w.started()).toHaveLength(1);
  });

  it("one group's failure is reported and does not stop the others", async () => {
    await w.normalPair();
    const c = await w.register('imp-c');
    const d = await w.register('imp-d');
    await w.beat(c);
    await w.beat(d);
    await w.createGroup({ name: 'prg-2', nodes: ['imp-c', 'imp-d'], highAvailability: true });
    w.clock.advance(4000);
    w.groups.afterGet = async (name) => {
      if (name === 'prg-1') throw new Error('ProvisionedThroughputExceededException');
    };
    expect(await sweep(w.ports)).toMatchObject({ visited: 2, changed: ['prg-2'], failed: ['prg-1'] });
    expect(await w.states('prg-2')).toEqual([
      ['UNKNOWN', 'UNKNOWN'],
      ['UNKNOWN', 'UNKNOWN'],
    ]);
    w.groups.afterGet = null;
    // Retried at the next sweep.
    expect(await sweep(w.ports)).toMatchObject({ changed: ['prg-1'], failed: [] });
  });
});
