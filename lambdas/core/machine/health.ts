import type { ClusterParameters } from '../schemas/parameters';
import type { HeartbeatBody } from '../schemas/heartbeat';
import type { Member, NodeFacts } from '../types';
import { keyedCopy, keyedRecord, ownValue } from '../keyed';

/** A fault that makes a node fail over once it has lasted `criticalServiceDelay`. */
export type Fault = 'CRITICAL_SERVICE_DOWN' | 'DATABASE_FAILURE';

const ms = (seconds: number) => seconds * 1000;

/** The node has been heard from within `keepAliveTimeout`. */
export function isFresh(facts: NodeFacts, now: number, params: ClusterParameters): boolean {
  return facts.lastHeartbeatAt !== null && now - facts.lastHeartbeatAt <= ms(params.keepAliveTimeout);
}

/**
 * The node's heartbeat is lost: it was heard from once, and not within
 * `keepAliveTimeout` of the later of its last heartbeat and the start of its peer's
 * current run of heartbeats. Like the SRM's peer-to-peer watch, silence is only proven
 * while someone else is heard: after an outage of the control plane itself, the first
 * node to come back does not get its peer declared down.
 */
export function isSilent(facts: NodeFacts, peer: NodeFacts, now: number, params: ClusterParameters): boolean {
  if (facts.lastHeartbeatAt === null) return false;
  const watchedFrom = Math.max(facts.lastHeartbeatAt, peer.heardSince ?? facts.lastHeartbeatAt);
  return now - watchedFrom > ms(params.keepAliveTimeout);
}

/** How long the node has been silent, as {@link isSilent} measures it, in milliseconds. */
export function silentFor(facts: NodeFacts, peer: NodeFacts, now: number): number {
  if (facts.lastHeartbeatAt === null) return 0;
  return now - Math.max(facts.lastHeartbeatAt, peer.heardSince ?? facts.lastHeartbeatAt);
}

/** Every critical service runs and the database is up, and the node is heard from. */
export function isHealthy(facts: NodeFacts, now: number, params: ClusterParameters): boolean {
  return (
    isFresh(facts, now, params) &&
    Object.keys(facts.servicesDownSince).length === 0 &&
    facts.databaseDownSince === null
  );
}

/** The node reports a fault right now, whether or not its delay has run out. */
export function reportedFault(facts: NodeFacts): Fault | null {
  if (facts.databaseDownSince !== null) return 'DATABASE_FAILURE';
  if (Object.keys(facts.servicesDownSince).length > 0) return 'CRITICAL_SERVICE_DOWN';
  return null;
}

/**
 * A fault that has lasted `criticalServiceDelay` since the first heartbeat that reported
 * it; the database wins over a service because its remedy (reboot) is the stronger one.
 */
export function expiredFault(facts: NodeFacts, now: number, params: ClusterParameters): Fault | null {
  const due = (since: number) => now - since >= ms(params.criticalServiceDelay);
  if (facts.databaseDownSince !== null && due(facts.databaseDownSince)) return 'DATABASE_FAILURE';
  if (Object.values(facts.servicesDownSince).some(due)) return 'CRITICAL_SERVICE_DOWN';
  return null;
}

/**
 * How a heartbeat's boot stands against the newest boot heard from its node:
 * - `first`: the node was never heard from;
 * - `same`: the same boot (same counter and bootId), ordered further by `sequence`;
 * - `newer`: a restart;
 * - `older`: a lower boot counter, a packet from before a restart delivered late;
 * - `reused`: the same counter with another bootId, so the node's counter went backwards
 *   (its state file was restored or copied) and the two boots cannot be ordered.
 * Boots are ordered by the agent's counter alone, never by clocks or bootIds; only a
 * member stored before boots were counted falls back to comparing bootIds.
 */
export type BootOrder = 'first' | 'same' | 'newer' | 'older' | 'reused';

/** Orders a heartbeat's boot against the node's newest boot heard (see {@link BootOrder}). */
export function bootOrder(facts: NodeFacts, hb: HeartbeatBody): BootOrder {
  if (facts.bootId === null) return 'first';
  const known = facts.boot ?? null;
  if (known === null) return facts.bootId === hb.bootId ? 'same' : 'newer';
  if (hb.boot < known) return 'older';
  if (hb.boot > known) return 'newer';
  return facts.bootId === hb.bootId ? 'same' : 'reused';
}

/** True when `hb` is not newer than the newest heartbeat seen from the same boot. */
export function isStale(facts: NodeFacts, hb: HeartbeatBody): boolean {
  return bootOrder(facts, hb) === 'same' && facts.sequence !== null && hb.sequence <= facts.sequence;
}

/**
 * Updates a member's facts (last heard, boot, services, database, and the outage and
 * health timers) from one of its heartbeats; it changes no state or reason. A critical
 * service missing from `services` counts as not running; each outage is timed from the
 * first heartbeat that reported it. `healthySince` starts again at this heartbeat when
 * the node was not heard for over `keepAliveTimeout` or has restarted, so it always
 * lies within the current unbroken run of heartbeats of the current boot.
 */
export function updateFactsFromHeartbeat(
  member: Member,
  hb: HeartbeatBody,
  now: number,
  params: ClusterParameters,
): void {
  // Service names come from the operator and the node: see keyed.ts for why own keys only.
  const servicesDownSince = keyedRecord<number>();
  for (const service of params.criticalServices) {
    if (ownValue(hb.services, service) !== 'running')
      servicesDownSince[service] = ownValue(member.servicesDownSince, service) ?? now;
  }
  const gap = member.lastHeartbeatAt === null || now - member.lastHeartbeatAt > ms(params.keepAliveTimeout);
  const restarted = bootOrder(member, hb) === 'newer';
  if (gap) member.heardSince = now;
  member.bootId = hb.bootId;
  member.boot = hb.boot;
  member.sequence = hb.sequence;
  member.lastHeartbeatAt = now;
  member.services = keyedCopy(hb.services);
  member.database = hb.database;
  member.replication = hb.replication ?? null;
  member.notice = hb.notice ?? null;
  member.servicesDownSince = servicesDownSince;
  member.databaseDownSince = hb.database === 'down' ? (member.databaseDownSince ?? now) : null;
  const healthy = Object.keys(servicesDownSince).length === 0 && hb.database === 'up';
  // A healthy run ends with any break in hearing the node (an outage, a reboot), not only
  // with a reported fault: nothing is known of its health while it was not heard, so an
  // automatic fallback must never be timed from before such a break.
  const continued = !gap && !restarted ? member.healthySince : null;
  member.healthySince = healthy ? (continued ?? now) : null;
}

/** Facts of a node never heard from. */
export function emptyFacts(): NodeFacts {
  return {
    bootId: null,
    boot: null,
    sequence: null,
    lastHeartbeatAt: null,
    heardSince: null,
    services: keyedRecord(),
    database: null,
    replication: null,
    notice: null,
    servicesDownSince: keyedRecord(),
    databaseDownSince: null,
    healthySince: null,
  };
}
