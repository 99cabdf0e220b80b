import type { Agent, World } from './world';

/**
 * The failing node of a manual failover obeys its `stop` order: its next heartbeat, a
 * second later, reports every critical service stopped. Only then may the users move
 * (issue 9, defect 3).
 */
export async function obeyStop(w: World, agent: Agent): Promise<void> {
  for (const s of Object.keys(agent.services)) agent.services[s] = 'stopped';
  w.clock.advance(1000);
  await w.beat(agent);
}
