import type { Agent, World } from './world';

/**
 * The failing node of a manual failover obeys its `stop` order: its next heartbeat, a
 * second later, reports every critical service stopped. Only then may the users move
 * (issue 9, defect 3).
 */
export async function obeyStop(w: World, agent: Agent): Promise<void> {
  // It hears the order in the answer to a heartbeat, and acknowledges it in the next one:
  // a report of services stopped counts only from a node that heard its stop.
  await w.beat(agent);
  for (const s of Object.keys(agent.services)) agent.services[s] = 'stopped';
  w.clock.advance(1000);
  await w.beat(agent);
}

/**
 * The failing node of an automatic take-over while it is still heard obeys its `stop`
 * order; the control plane believes the report only once keepAliveTimeout (3 s in these
 * tests, no declared stop time) has passed since the take-over began, when a node cut
 * off from its answers would have fenced. Both nodes keep beating meanwhile.
 */
export async function obeyStopOfTakeOver(w: World, failing: Agent, peer: Agent): Promise<void> {
  for (const s of Object.keys(failing.services)) failing.services[s] = 'stopped';
  await w.beatBoth(failing, peer, 4);
}
