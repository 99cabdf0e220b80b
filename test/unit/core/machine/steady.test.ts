import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  applySteadyHeartbeat,
  isSteadyHeartbeat,
  nextTimerDueAt,
  transition,
  type GroupEvent,
  type GroupState,
} from '../../../../lambdas/core';
import { FAST_PARAMETERS, PairSimulator } from '../../../support/pairSimulator';
import { scenario, simulate } from '../../../support/pairCommands';

const p = FAST_PARAMETERS;
const A = 'imp-a';
const B = 'imp-b';

function healthyBeat(sim: PairSimulator, id: string, sequence: number) {
  const services = Object.fromEntries(p.criticalServices.map((s) => [s, 'running' as const]));
  return {
    bootId: sim.node(id).bootId,
    boot: sim.node(id).boots,
    sequence,
    services,
    database: 'up' as const,
    // A running agent acknowledges the last answer it heard (an old agent sends nothing).
    ...(sim.node(id).heard === undefined ? {} : { heard: sim.node(id).heard }),
  };
}

describe('the one-write steady heartbeat', () => {
  it('a healthy pair: the next heartbeat of each node is steady', () => {
    const sim = new PairSimulator().startNormal();
    sim.run(2);
    const hb = healthyBeat(sim, A, sim.node(A).sequence + 1);
    expect(isSteadyHeartbeat(sim.group, A, hb, sim.now + 500, p, nextTimerDueAt(sim.group, p))).toBe(true);
  });

  it('is not steady when the peer has been silent for keepAliveTimeout, so the heartbeat detects it', () => {
    const sim = new PairSimulator().startNormal();
    sim.node(B).alive = false;
    sim.run(p.keepAliveTimeout);
    const hb = healthyBeat(sim, A, sim.node(A).sequence + 1);
    const now = sim.now + 1000;
    expect(isSteadyHeartbeat(sim.group, A, hb, now, p, nextTimerDueAt(sim.group, p))).toBe(false);
    const r = transition(sim.group, { type: 'Heartbeat', nodeId: A, heartbeat: hb }, now, p);
    expect(r.group.members.find((m) => m.nodeId === B)?.state).toBe('DOWN');
  });

  it('is not steady when a critical service goes down, a restart, a notice, or a stale sequence', () => {
    const sim = new PairSimulator().startNormal();
    const seq = sim.node(A).sequence + 1;
    const due = nextTimerDueAt(sim.group, p);
    const now = sim.now + 500;
    const base = healthyBeat(sim, A, seq);
    const down = { ...base, services: { ...base.services, [p.criticalServices[0]!]: 'stopped' as const } };
    expect(isSteadyHeartbeat(sim.group, A, down, now, p, due)).toBe(false);
    expect(isSteadyHeartbeat(sim.group, A, { ...base, bootId: 'new-boot' }, now, p, due)).toBe(false);
    expect(isSteadyHeartbeat(sim.group, A, { ...base, boot: base.boot - 1 }, now, p, due)).toBe(false);
    expect(isSteadyHeartbeat(sim.group, A, { ...base, notice: 'reboot' }, now, p, due)).toBe(false);
    expect(isSteadyHeartbeat(sim.group, A, { ...base, sequence: seq - 1 }, now, p, due)).toBe(false);
    expect(isSteadyHeartbeat(sim.group, A, { ...base, database: 'down' }, now, p, due)).toBe(false);
  });

  it('an old agent (no `heard`) is steady; the first heartbeat of its upgraded agent is not, and marks it as acknowledging', () => {
    const sim = new PairSimulator();
    sim.node(B).heard = undefined;
    sim.startNormal();
    sim.run(2);
    const due = nextTimerDueAt(sim.group, p);
    const now = sim.now + 500;
    const old = healthyBeat(sim, B, sim.node(B).sequence + 1);
    expect(old).not.toHaveProperty('heard');
    expect(isSteadyHeartbeat(sim.group, B, old, now, p, due)).toBe(true);
    // Its upgraded agent's first heartbeat acknowledges an answer that does not count
    // (one saying "no HA group", as the last one it kept may): the stored acknowledgement
    // stays null, yet the heartbeat must go through the state machine, which records that
    // the agent acknowledges from now on.
    const upgraded = { ...old, heard: { group: null, incarnation: null, epoch: 0 } };
    expect(isSteadyHeartbeat(sim.group, B, upgraded, now, p, due)).toBe(false);
    const r = transition(sim.group, { type: 'Heartbeat', nodeId: B, heartbeat: upgraded }, now, p);
    expect(r.group.members.find((m) => m.nodeId === B)?.acknowledges).toBe(true);
  });

  it('is not steady once a timer of the group is due', () => {
    const sim = new PairSimulator().startNormal();
    sim.crash(A);
    sim.run(1);
    const due = nextTimerDueAt(sim.group, p);
    expect(due).not.toBeNull();
    const services = Object.fromEntries(
      p.criticalServices.map((s, i) => [s, i === 0 ? ('stopped' as const) : ('running' as const)]),
    );
    const hb = {
      bootId: sim.node(A).bootId,
      boot: sim.node(A).boots,
      sequence: sim.node(A).sequence + 1,
      services,
      database: 'up' as const,
      heard: sim.node(A).heard,
    };
    expect(isSteadyHeartbeat(sim.group, A, hb, due! - 1, p, due)).toBe(true);
    expect(isSteadyHeartbeat(sim.group, A, hb, due!, p, due)).toBe(false);
  });

  it('whenever a heartbeat is steady, the state machine agrees: only the facts change, no effect (1,000 sequences)', () => {
    let steady = 0;
    fc.assert(
      fc.property(scenario, (s) => {
        simulate(s, (sim) => {
          sim.observer = (group: GroupState, event: GroupEvent, now: number) => {
            if (event.type !== 'Heartbeat') return;
            const { heartbeat: hb, nodeId } = event;
            const params = sim.params;
            if (!isSteadyHeartbeat(group, nodeId, hb, now, params, nextTimerDueAt(group, params))) return;
            steady += 1;
            const r = transition(group, event, now, params);
            expect(r.effects).toEqual([]);
            expect(r.group).toEqual(applySteadyHeartbeat(group, nodeId, hb, now));
            expect(nextTimerDueAt(r.group, params)).toBe(nextTimerDueAt(group, params));
          };
        });
      }),
      { numRuns: 1000 },
    );
    // The property is only worth something if steady heartbeats actually occur.
    expect(steady).toBeGreaterThan(1000);
  });
});
