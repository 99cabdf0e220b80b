import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { findRow, heartbeatResponse, type Effect } from '../../../../lambdas/core';
import type { PairSimulator } from '../../../support/pairSimulator';
import { IDS, scenario, simulate } from '../../../support/pairCommands';

/** The invariants of docs/state-machine.md and docs/heartbeat-protocol.md that must hold after every event. */
function checkInvariants(
  sim: PairSimulator,
  lastEpoch: { value: number },
  lastOrders: Map<string, string>,
): void {
  const g = sim.group;
  // Epochs never decrease.
  expect(g.epoch).toBeGreaterThanOrEqual(lastEpoch.value);
  lastEpoch.value = g.epoch;
  for (const e of sim.effects) if (e.type === 'OrderServices') lastOrders.set(e.nodeId, e.order);
  sim.effects.length = 0;

  const [a, b] = g.members;
  if (!g.highAvailability) {
    expect([a!.state, b!.state]).toEqual([null, null]);
    expect(g.failedOver).toBeNull();
    return;
  }
  // Every pair reached is one Table 2 describes (a row of the manual, or one presence-ha adds).
  const row = findRow(
    { nodeId: a!.nodeId, state: a!.state!, reason: a!.reason! },
    { nodeId: b!.nodeId, state: b!.state!, reason: b!.reason! },
  );
  expect(row, `unlisted pair ${a!.state}/${a!.reason} + ${b!.state}/${b!.reason}`).not.toBeNull();

  for (const m of g.members) {
    const peer = g.members.find((x) => x.nodeId !== m.nodeId)!;
    // Every user is served by exactly one node, and never by a node that is failed over.
    const served = IDS.map((home) => sim.servingNodeOf(home));
    for (const s of served) expect(IDS).toContain(s);
    // While no workflow moves users, the states say exactly where users are.
    if (g.operation === null) {
      if (
        m.state === 'IDLE' ||
        m.state === 'FAILED_OVER' ||
        m.state === 'FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING'
      ) {
        expect(served).not.toContain(m.nodeId);
      }
      if (m.state === 'RUNNING_IN_BACKUP_MODE') expect(g.failedOver).toBe(peer.nodeId);
      if (m.state === 'NORMAL') expect(g.failedOver).toBeNull();
    }
    // A node failed over by hand is always ordered to stop its services, in the
    // heartbeat answer and in the last order published for it.
    if (m.state === 'IDLE' || m.state === 'FAILING_OVER') {
      expect(heartbeatResponse(g, m.nodeId, sim.params, sim.now).serviceOrder).toBe('stop');
      expect(lastOrders.get(m.nodeId)).toBe('stop');
    }
  }
}

describe('state machine properties (random event sequences)', () => {
  it('keeps every invariant after every event of 1,000 random sequences', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const lastEpoch = { value: 0 };
        const lastOrders = new Map<string, string>();
        simulate(s, (sim) => checkInvariants(sim, lastEpoch, lastOrders));
      }),
      { numRuns: 1000 },
    );
  });

  it('gives the same result for the same sequence (determinism), 1,000 sequences', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const first = simulate(s);
        const second = simulate(s);
        expect(second.group).toEqual(first.group);
        expect(second.results.map((r) => r.effects)).toEqual(first.results.map((r) => r.effects));
      }),
      { numRuns: 1000 },
    );
  });

  it('never mutates the group it is given', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const snapshots: string[] = [];
        const sim = simulate(s, (x) => snapshots.push(JSON.stringify(x.group)));
        // Each stored snapshot still equals what was stored: a mutation would show here.
        expect(JSON.stringify(sim.group)).toBe(snapshots.at(-1));
      }),
      { numRuns: 200 },
    );
  });
});

export type { Effect };
