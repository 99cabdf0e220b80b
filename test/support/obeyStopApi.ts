import { beat, type NodeAgent } from './apiPair';
import type { ApiHarness } from './apiHarness';

/**
 * The failing node of a manual failover obeys its `stop` order: its next heartbeat, a
 * second later, reports every critical service stopped. Only then may the users move
 * (issue 9, defect 3).
 */
export async function obeyStop(h: ApiHarness, agent: NodeAgent): Promise<void> {
  for (const s of Object.keys(agent.services)) agent.services[s] = 'stopped';
  h.clock.t += 1000;
  await beat(h, agent);
}

/** The node taking back obeys its `start` order: its critical services run again. */
export function obeyStart(agent: NodeAgent): void {
  for (const s of Object.keys(agent.services)) agent.services[s] = 'running';
}
