import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { GroupEvent } from '../../../../lambdas/core';
import { FAST_PARAMETERS as p, PairSimulator } from '../../../support/pairSimulator';
import { play, scenario } from '../../../support/pairCommands';

const A = 'imp-a';

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
