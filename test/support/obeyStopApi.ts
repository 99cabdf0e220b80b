import { beat, type NodeAgent } from './apiPair';
import type { ApiHarness } from './apiHarness';

/**
 * The failing node of a manual failover obeys its `stop` order: its next heartbeat, a
 * second later, reports every critical service stopped. Only then may the users move
 * (issue 9, defect 3).
 */
export async function obeyStop(h: ApiHarness, agent: NodeAgent): Promise<void> {
  // It hears the order in the answer to a heartbeat, and acknowledges it in the next one:
  // a report of services stopped counts only from a node that heard its stop.
  await beat(h, agent);
  for (const s of Object.keys(agent.services)) agent.services[s] = 'stopped';
  h.clock.t += 1000;
  await beat(h, agent);
}

/** The node taking back obeys its `start` order: its critical services run again. */
export function obeyStart(agent: NodeAgent): void {
  for (const s of Object.keys(agent.services)) agent.services[s] = 'running';
}

/**
 * The failing node of an automatic take-over while it is still heard obeys its `stop`
 * order, and both nodes keep beating until keepAliveTimeout (3 s in the API tests) has
 * passed since the take-over began: only then does the control plane believe the report
 * (a node cut off from its answers would have fenced by then).
 */
export async function obeyStopOfTakeOver(h: ApiHarness, failing: NodeAgent, peer: NodeAgent): Promise<void> {
  for (const s of Object.keys(failing.services)) failing.services[s] = 'stopped';
  for (let s = 0; s < 4; s++) {
    h.clock.t += 1000;
    await beat(h, failing);
    await beat(h, peer);
  }
}
