import type { ClusterParameters } from '../schemas/parameters';
import type { HeartbeatBody } from '../schemas/heartbeat';
import type { Member, NodeFacts } from '../types';

/** A fault that makes a node fail over once it has lasted `criticalServiceDelay`. */
export type Fault = 'CRITICAL_SERVICE_DOWN' | 'DATABASE_FAILURE';

const ms = (seconds: number) => seconds * 1000;

/** The node has been heard from within `keepAliveTimeout`. */
export function isFresh(m: NodeFacts, now: number, p: ClusterParameters): boolean {
  return m.lastHeartbeatAt !== null && now - m.lastHeartbeatAt <= ms(p.keepAliveTimeout);
}

/**
 * The node's heartbeat is lost: it was heard from once, and not within
 * `keepAliveTimeout` of the later of its last heartbeat and the start of its peer's
 * current run of heartbeats. Like the SRM's peer-to-peer watch, silence is only proven
 * while someone else is heard: after an outage of the control plane itself, the first
 * node to come back does not get its peer declared down.
 */
export function isSilent(m: NodeFacts, peer: NodeFacts, now: number, p: ClusterParameters): boolean {
  if (m.lastHeartbeatAt === null) return false;
  const watchedFrom = Math.max(m.lastHeartbeatAt, peer.heardSince ?? m.lastHeartbeatAt);
  return now - watchedFrom > ms(p.keepAliveTimeout);
}

/** How long the node has been silent, as {@link isSilent} measures it, in milliseconds. */
export function silentFor(m: NodeFacts, peer: NodeFacts, now: number): number {
  if (m.lastHeartbeatAt === null) return 0;
  return now - Math.max(m.lastHeartbeatAt, peer.heardSince ?? m.lastHeartbeatAt);
}

/** Every critical service runs and the database is up, and the node is heard from. */
export function isHealthy(m: NodeFacts, now: number, p: ClusterParameters): boolean {
  return isFresh(m, now, p) && Object.keys(m.servicesDownSince).length === 0 && m.databaseDownSince === null;
}

/** The node reports a fault right now, whether or not its delay has run out. */
export function reportedFault(m: NodeFacts): Fault | null {
  if (m.databaseDownSince !== null) return 'DATABASE_FAILURE';
  if (Object.keys(m.servicesDownSince).length > 0) return 'CRITICAL_SERVICE_DOWN';
  return null;
}

/**
 * A fault that has lasted `criticalServiceDelay` since the first heartbeat that reported
 * it; the database wins over a service because its remedy (reboot) is the stronger one.
 */
export function expiredFault(m: NodeFacts, now: number, p: ClusterParameters): Fault | null {
  const due = (since: number) => now - since >= ms(p.criticalServiceDelay);
  if (m.databaseDownSince !== null && due(m.databaseDownSince)) return 'DATABASE_FAILURE';
  if (Object.values(m.servicesDownSince).some(due)) return 'CRITICAL_SERVICE_DOWN';
  return null;
}

/** True when `hb` is not newer than the newest heartbeat seen from the same boot. */
export function isStale(m: NodeFacts, hb: HeartbeatBody): boolean {
  return m.bootId === hb.bootId && m.sequence !== null && hb.sequence <= m.sequence;
}

/**
 * Records a heartbeat's facts. A critical service missing from `services` counts as not
 * running; each outage is timed from the first heartbeat that reported it.
 */
export function recordHeartbeat(m: Member, hb: HeartbeatBody, now: number, p: ClusterParameters): void {
  const servicesDownSince: Record<string, number> = {};
  for (const service of p.criticalServices) {
    if (hb.services[service] !== 'running') servicesDownSince[service] = m.servicesDownSince[service] ?? now;
  }
  const gap = m.lastHeartbeatAt === null || now - m.lastHeartbeatAt > ms(p.keepAliveTimeout);
  if (gap) m.heardSince = now;
  m.bootId = hb.bootId;
  m.sequence = hb.sequence;
  m.lastHeartbeatAt = now;
  m.services = { ...hb.services };
  m.database = hb.database;
  m.replication = hb.replication ?? null;
  m.notice = hb.notice ?? null;
  m.servicesDownSince = servicesDownSince;
  m.databaseDownSince = hb.database === 'down' ? (m.databaseDownSince ?? now) : null;
  const healthy = Object.keys(servicesDownSince).length === 0 && hb.database === 'up';
  m.healthySince = healthy ? (m.healthySince ?? now) : null;
}

/** Facts of a node never heard from. */
export function emptyFacts(): NodeFacts {
  return {
    bootId: null,
    sequence: null,
    lastHeartbeatAt: null,
    heardSince: null,
    services: {},
    database: null,
    replication: null,
    notice: null,
    servicesDownSince: {},
    databaseDownSince: null,
    healthySince: null,
  };
}
