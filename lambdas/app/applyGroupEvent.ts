import {
  nextTimerDueAt,
  pairSilentAt,
  transition,
  type ClusterParameters,
  type Effect,
  type ReasonCode,
  type GroupEvent,
  type TransitionResult,
} from '../core';
import { ConflictError, NotFoundError } from './errors';
import { savedOrRetry } from './groupSave';
import { runEffects } from './effects';
import type { GroupIndex, Ports } from './ports';
import type { GroupRecord } from './records';
import type { OutboxRecord } from './outbox';

export interface Applied {
  record: GroupRecord;
  result: TransitionResult;
  params: ClusterParameters;
}

/**
 * How long an operation runs before the sweep starts its workflow again. Starting is
 * idempotent (the execution is named after the operation), so this only matters when the
 * first start was lost after the decision was stored.
 */
export const WORKFLOW_RESTART_AFTER_MS = 60_000;

/**
 * The sweep's and the fast path's view of a group's deadlines: the core's timers, and
 * while an operation runs, the moment the sweep should make sure its workflow runs.
 */
export function groupIndex(record: GroupRecord, params: ClusterParameters): GroupIndex {
  const op = record.group.operation;
  const timers = [
    nextTimerDueAt(record.group, params),
    op ? op.startedAt + WORKFLOW_RESTART_AFTER_MS : null,
    // A maintenance window ends by itself: the sweep (and the fast path) must judge it then.
    record.group.maintenance?.until ?? null,
  ];
  const due = timers.filter((t): t is number => t !== null);
  return {
    timerDueAt: due.length > 0 ? Math.min(...due) : null,
    silentAt: pairSilentAt(record.group, params),
  };
}

/**
 * The one way a group changes: read it, let the core decide, write the decision
 * conditionally on the version read, then carry out its effects. When another write
 * got in first, decide again on what it wrote — so of concurrent admin actions exactly
 * one wins and the others are refused by the core with the states they conflict with.
 *
 * @param edit changes to the record's own fields (description) written with the decision
 * @param by who asked, for an admin action: stamped on its history lines and events
 */
export async function applyGroupEvent(
  ports: Ports,
  name: string,
  event: GroupEvent,
  edit?: (record: GroupRecord) => GroupRecord,
  by?: string,
): Promise<Applied> {
  for (let attempt = 1; ; attempt++) {
    const record = await ports.groups.get(name);
    if (!record) throw new NotFoundError('group', name);
    const params = await ports.settings.clusterParameters(record.clusterId);
    const now = ports.clock.now();
    const result = transition(record.group, event, now, params);
    const refusal = result.effects.find((e): e is Extract<Effect, { type: 'Refuse' }> => e.type === 'Refuse');
    if (refusal) throw new ConflictError(refusal.message, refusal.code, refusal.states);
    if (result.outcome === 'ignored' && !edit) return { record, result, params };
    const edited = edit ? edit(record) : record;
    const next: GroupRecord = {
      ...edited,
      group: result.group,
      version: record.version + 1,
      updatedAt: new Date(now).toISOString(),
    };
    const effects = by === undefined ? result.effects : result.effects.map((e) => attributed(e, by));
    const outbox = outboxOf(ports, name, next.version, now, effects);
    const saved = await savedOrRetry(name, attempt, () =>
      ports.groups.save(next, record.version, groupIndex(next, params), outbox),
    );
    if (!saved) continue;
    await runEffects(ports, name, effects, next.version, outbox);
    recordMetrics(ports, record, result.effects, now);
    return { record: next, result, params };
  }
}

/**
 * An admin action's history lines and its node-state and operation-start events carry
 * who asked for it, so an operator reading the history or an alert knows who acted.
 */
function attributed(effect: Effect, by: string): Effect {
  switch (effect.type) {
    case 'AppendHistory':
      return { ...effect, entry: { ...effect.entry, by } };
    case 'Publish': {
      const event = effect.event;
      switch (event.detailType) {
        case 'NodeStateChanged':
        case 'FailoverStarted':
        case 'FallbackStarted':
        case 'RecoveryStarted':
          return { ...effect, event: { ...event, by } };
        default:
          return effect;
      }
    }
    default:
      return effect;
  }
}

/**
 * The decision's history lines and events as one outbox record, written with the state:
 * none when the ports keep no outbox or the decision says nothing (most sweep ticks).
 */
function outboxOf(
  ports: Ports,
  group: string,
  version: number,
  now: number,
  effects: Effect[],
): OutboxRecord | undefined {
  if (!ports.outbox) return undefined;
  const events = effects.flatMap((e) => (e.type === 'Publish' ? [e.event] : []));
  const history = effects.flatMap((e) => (e.type === 'AppendHistory' ? [e.entry] : []));
  if (events.length === 0 && history.length === 0) return undefined;
  return { group, version, at: now, events, history };
}

/** Reasons of an automatic failover whose detection started with the node's last heartbeat. */
const SILENCE: ReadonlySet<ReasonCode> = new Set<ReasonCode>([
  'PEER_DOWN',
  'PEER_REBOOT',
  'PEER_DOWN_DURING_INITIALIZATION',
]);

/**
 * Counts operations and measures detection latency: for a failover caused by silence,
 * from the failed node's last heartbeat; for one caused by a fault, from the first
 * heartbeat that reported it. A manual failover has no detection to measure.
 */
function recordMetrics(ports: Ports, before: GroupRecord, effects: Effect[], now: number): void {
  for (const effect of effects) {
    if (effect.type !== 'Publish') continue;
    const event = effect.event;
    switch (event.detailType) {
      case 'FallbackStarted':
        ports.metrics.count('Fallbacks');
        break;
      case 'RecoveryStarted':
        ports.metrics.count('Recoveries');
        break;
      case 'FailoverCompleted':
      case 'FallbackCompleted':
      case 'RecoveryCompleted':
        if (event.outcome === 'failed') ports.metrics.count('FailedOperations');
        break;
      case 'FailoverStarted': {
        ports.metrics.count('Failovers');
        if (event.reason === 'ON_ADMIN_REQUEST') break;
        const failed = before.group.members.find((m) => m.nodeId === event.fromNode);
        if (!failed) break;
        const since = SILENCE.has(event.reason)
          ? failed.lastHeartbeatAt
          : Math.min(...Object.values(failed.servicesDownSince), failed.databaseDownSince ?? Infinity);
        if (since !== null && Number.isFinite(since) && since <= now) {
          ports.metrics.seconds('DetectionLatency', (now - since) / 1000);
        }
        break;
      }
      default:
        break;
    }
  }
}
