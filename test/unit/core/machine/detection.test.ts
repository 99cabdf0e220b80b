import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_PARAMETERS, heartbeatResponse, transition } from '../../../../lambdas/core';
import { PairSimulator } from '../../../support/pairSimulator';
import { detectionDelay } from '../../../support/detection';

describe('detection of a lost node by its peer’s heartbeats', () => {
  it('at the defaults (15 s / 60 s), whatever the phase of the pair, within keepAliveTimeout + 1 s', () => {
    const params = DEFAULT_CLUSTER_PARAMETERS;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 14_999 }), fc.integer({ min: 1, max: 6 }), (phase, beats) => {
        const delay = detectionDelay(params, phase, beats);
        expect(delay).toBeGreaterThan(params.keepAliveTimeout * 1000);
        expect(delay).toBeLessThanOrEqual(params.keepAliveTimeout * 1000 + 1000);
      }),
      { numRuns: 200 },
    );
  });

  it('the answer is the interval while the peer is on time, and shorter only once it is late', () => {
    const params = DEFAULT_CLUSTER_PARAMETERS;
    const sim = new PairSimulator(params).startNormal();
    expect(heartbeatResponse(sim.group, 'imp-b', params, sim.now).nextHeartbeatSeconds).toBe(15);
    // imp-a last heard 50 s ago: its deadline is 10 s away, nearer than one interval.
    const lastOfA = sim.group.members[0]!.lastHeartbeatAt!;
    sim.now = lastOfA + 50_000;
    const r = transition(
      sim.group,
      {
        type: 'Heartbeat',
        nodeId: 'imp-b',
        heartbeat: {
          bootId: sim.node('imp-b').bootId,
          boot: sim.node('imp-b').boots,
          sequence: 999,
          services: {},
          database: 'up',
        },
      },
      sim.now,
      params,
    );
    const answer = heartbeatResponse(r.group, 'imp-b', params, sim.now).nextHeartbeatSeconds;
    expect(answer).toBeGreaterThan(10);
    expect(answer).toBeLessThan(11);
  });
});
