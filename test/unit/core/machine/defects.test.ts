import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { GroupEvent } from '../../../../lambdas/core';
import { FAST_PARAMETERS as p, PairSimulator } from '../../../support/pairSimulator';
import { play, scenario } from '../../../support/pairCommands';

const A = 'imp-a';
const B = 'imp-b';

describe('automatic fallback is timed from before the outage', () => {
  it('a node back after an outage longer than automaticFallbackDelay waits the whole delay before falling back', () => {
    const sim = new PairSimulator({ ...p, enableAutomaticFallback: true }).startNormal();
    sim.node(A).alive = false;
    // Lost, taken over, and silent for far longer than the fallback delay.
    sim.run(p.keepAliveTimeout + p.automaticFallbackDelay * 3);
    expect(sim.pair()).toEqual([
      ['DOWN', 'PEER_DOWN'],
      ['RUNNING_IN_BACKUP_MODE', 'PEER_DOWN'],
    ]);
    sim.node(A).alive = true;
    sim.run(1);
    const back = sim.now;
    expect(sim.stateOf(A)).toEqual(['FAILED_OVER', 'PEER_DOWN']);
    expect(sim.group.autoFallback?.dueAt).toBe(back + p.automaticFallbackDelay * 1000);
    sim.run(p.automaticFallbackDelay - 1);
    expect(sim.pair()).toEqual([
      ['FAILED_OVER', 'PEER_DOWN'],
      ['RUNNING_IN_BACKUP_MODE', 'PEER_DOWN'],
    ]);
    sim.run(4);
    expect(sim.pair()).toEqual([
      ['NORMAL', 'NORMAL'],
      ['NORMAL', 'NORMAL'],
    ]);
  });

  it('a failed-over node that falls silent and comes back restarts the wait', () => {
    const sim = new PairSimulator({ ...p, enableAutomaticFallback: true }).startNormal();
    sim.crash(A);
    sim.run(p.criticalServiceDelay + 2);
    sim.repair(A);
    sim.run(1);
    expect(sim.stateOf(A)[0]).toBe('FAILED_OVER');
    sim.node(A).alive = false;
    sim.run(p.automaticFallbackDelay * 2);
    expect(sim.stateOf(A)[0]).toBe('DOWN');
    sim.node(A).alive = true;
    sim.run(1);
    expect(sim.stateOf(A)[0]).toBe('FAILED_OVER');
    expect(sim.group.autoFallback?.dueAt).toBe(sim.now + p.automaticFallbackDelay * 1000);
  });

  it('never starts an automatic fallback before the node has been heard, healthy and without a gap, for the delay (random sequences)', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        // The test keeps its own account of each node's current healthy run, from the
        // heartbeats the control plane accepted, independently of the group's facts.
        const sim = new PairSimulator({ ...p, enableAutomaticFallback: true });
        const runStart = new Map<string, number | null>();
        const lastHeard = new Map<string, number>();
        const seen: { event: GroupEvent; now: number }[] = [];
        sim.observer = (_group, event, now) => seen.push({ event, now });
        let checked = 0;
        const check = () => {
          for (; checked < sim.results.length; checked++) {
            const { event, now } = seen[checked]!;
            const result = sim.results[checked]!;
            if (event.type === 'Heartbeat' && result.outcome === 'applied') {
              const hb = event.heartbeat;
              const healthy =
                hb.database === 'up' && p.criticalServices.every((x) => hb.services[x] === 'running');
              const previous = lastHeard.get(event.nodeId);
              const gap = previous === undefined || now - previous > p.keepAliveTimeout * 1000;
              const start = runStart.get(event.nodeId) ?? null;
              runStart.set(event.nodeId, healthy ? (gap || start === null ? now : start) : null);
              lastHeard.set(event.nodeId, now);
            }
            const op = result.group.operation;
            const before = checked === 0 ? null : sim.results[checked - 1]!.group.operation;
            if (op && op.reason === 'AUTOMATIC_FALLBACK' && op.id !== before?.id) {
              const since = runStart.get(op.to) ?? null;
              expect(since, `${op.to} fell back without a healthy run`).not.toBeNull();
              expect(now - since!).toBeGreaterThanOrEqual(p.automaticFallbackDelay * 1000);
            }
          }
        };
        if (s.haFromStart) sim.startNormal();
        check();
        for (const c of s.commands) {
          play(sim, c);
          check();
        }
      }),
      { numRuns: 4000 },
    );
  });
});

describe('a heartbeat from an older boot is taken as a restart', () => {
  const healthy = () => Object.fromEntries(p.criticalServices.map((s) => [s, 'running' as const]));

  /** A heartbeat the node sent before its restart, delivered late. */
  function delayedFromBefore(sim: PairSimulator, id: string, boot: number, bootId: string, sequence: number) {
    return sim.apply({
      type: 'Heartbeat',
      nodeId: id,
      heartbeat: { bootId, boot, sequence, services: healthy(), database: 'up' },
    });
  }

  it('a delayed heartbeat from before a restart is refused as STALE_BOOT and changes nothing', () => {
    const sim = new PairSimulator().startNormal();
    const { bootId, boots } = sim.node(A);
    sim.restartSrm(A);
    sim.run(2);
    const before = sim.group;
    // A sequence far above the new boot's: only the boot can tell that it is older.
    const r = delayedFromBefore(sim, A, boots, bootId, 1000);
    expect(r.outcome).toBe('refused');
    expect(sim.group).toBe(before);
    expect(r.effects).toEqual([expect.objectContaining({ type: 'Refuse', code: 'STALE_BOOT' })]);
    const refusal = r.effects[0] as { message: string };
    expect(refusal.message).toMatch(/boot 1 of node imp-a, older than boot 2 already heard; it was ignored/);
  });

  it('a delayed heartbeat from before the restart of a backup node does not make it restart again', () => {
    const sim = new PairSimulator().startNormal();
    sim.crash(A);
    sim.run(p.criticalServiceDelay + 2);
    expect(sim.stateOf(B)).toEqual(['RUNNING_IN_BACKUP_MODE', 'CRITICAL_SERVICE_DOWN']);
    const { bootId, boots, sequence } = sim.node(B);
    sim.restartSrm(B);
    sim.run(1);
    const before = sim.group;
    const r = delayedFromBefore(sim, B, boots, bootId, sequence + 1);
    expect(r.outcome).toBe('refused');
    expect(sim.group).toBe(before);
  });

  it('the same boot number with another bootId is refused too: the counter went backwards', () => {
    const sim = new PairSimulator().startNormal();
    const before = sim.group;
    const r = delayedFromBefore(sim, A, sim.node(A).boots, 'imp-a-copy', 1);
    expect(r.outcome).toBe('refused');
    expect(sim.group).toBe(before);
  });

  it('a higher boot is a restart, whatever its sequence and bootId', () => {
    const sim = new PairSimulator().startNormal();
    const r = delayedFromBefore(sim, A, sim.node(A).boots + 5, 'any-new-id', 0);
    expect(r.outcome).toBe('applied');
    expect(sim.group.members[0]!.boot).toBe(sim.node(A).boots + 5);
  });
});
