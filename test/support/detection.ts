import { heartbeatResponse, type ClusterParameters } from '../../lambdas/core';
import { PairSimulator, T0 } from './pairSimulator';

/**
 * A lost node is found by its peer's heartbeats, not by the sweep: when the peer's next
 * heartbeat would come after the node's deadline, the answer brings it back just after
 * it. Simulated time, agents that follow `nextHeartbeatSeconds` to the millisecond.
 */
export function detectionDelay(params: ClusterParameters, phaseMs: number, silentAfterBeats: number): number {
  const sim = new PairSimulator(params);
  sim.now = T0;
  sim.startNormal();
  const interval = params.keepAliveInterval * 1000;
  // Each node's own schedule: when it sends next.
  const next: Record<string, number> = { 'imp-a': sim.now + phaseMs, 'imp-b': sim.now + interval };
  let beatsOfA = 0;
  let lastOfA = sim.now;
  for (let step = 0; step < 10_000; step++) {
    const [id, at] = Object.entries(next).sort((x, y) => x[1] - y[1])[0]!;
    sim.now = at;
    if (id === 'imp-a' && beatsOfA >= silentAfterBeats) {
      next['imp-a'] = Number.POSITIVE_INFINITY; // imp-a falls silent
      continue;
    }
    sim.heartbeat(id);
    if (id === 'imp-a') {
      beatsOfA += 1;
      lastOfA = at;
    }
    if (sim.stateOf('imp-a')[0] === 'DOWN') return sim.now - lastOfA;
    const answer = heartbeatResponse(sim.group, id, params, sim.now);
    next[id] = at + answer.nextHeartbeatSeconds * 1000;
  }
  throw new Error('imp-a was never found lost');
}
