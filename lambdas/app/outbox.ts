import type { DomainEvent, HistoryEntry, NodeId } from '../core';
import type { AdminActionEvent } from './audit';
import type { Ports } from './ports';

/**
 * Events the application publishes on decisions the state machine does not make: a
 * re-home moves users' homes (lambdas/app/rehome.ts) and changes no node state, so the
 * core has no event for it. Same envelope and delivery as the core's events.
 */
export type RehomeEvent =
  | {
      detailType: 'RehomeStarted';
      group: string;
      operationId: string;
      fromNode: NodeId;
      toNode: NodeId;
      /** Users whose home was `fromNode` when the re-home was accepted. */
      users: number;
      /** Who asked for it (see HistoryEntry.by). */
      by: string;
      at: string;
    }
  | {
      detailType: 'RehomeCompleted';
      group: string;
      operationId: string;
      fromNode: NodeId;
      toNode: NodeId;
      at: string;
    };

/** Everything presence-ha puts on the bus (docs/events.md). */
export type PublishedEvent = DomainEvent | RehomeEvent | AdminActionEvent;

/**
 * What one decision on a group must tell the world, stored in the same transaction as
 * the decision itself: so a crash after the state write loses neither the history lines
 * nor the events. A steady heartbeat decides nothing and writes none.
 */
export interface OutboxRecord {
  /** The group decided on; an admin action on no group uses `#admin` (see app/audit.ts). */
  group: string;
  /**
   * The group's version the decision wrote: with the group's name, the record's key. An
   * admin action that writes no group version takes a number no version reaches
   * (`adminActionVersion`).
   */
  version: number;
  /** Epoch milliseconds of the decision. */
  at: number;
  events: PublishedEvent[];
  history: HistoryEntry[];
}

/** The records whose events are not yet known to be published. */
export interface OutboxStore {
  /** Records written at or before `writtenBefore` (epoch ms) and still not cleared, oldest first. */
  pending(writtenBefore: number, limit: number): Promise<OutboxRecord[]>;
  /** Stores a record on its own: for an admin action no single write of its own can carry (a rebalance). */
  add(record: OutboxRecord): Promise<void>;
  /** Forgets a record once its events were accepted by the bus. */
  clear(record: OutboxRecord): Promise<void>;
}

/**
 * The idempotency key of the `index`-th event of a decision: the same however often the
 * event is published, so a consumer that has seen it can drop a repeat.
 */
export function outboxEventId(group: string, version: number, index: number): string {
  return `${group}:${version}:${index}`;
}

/**
 * How old a record must be before the sweep publishes it: the request that wrote it
 * publishes it at once and clears it, and gets this long to do so before the sweep steps in.
 */
export const OUTBOX_GRACE_MS = 10_000;

/** Records relayed per sweep at most, so a backlog cannot stall the sweep's own work. */
const RELAY_LIMIT = 100;

/** Publishes a record's events with their idempotency keys, then clears it. */
export async function deliverOutbox(ports: Ports, record: OutboxRecord): Promise<void> {
  if (!ports.outbox) return;
  if (record.events.length > 0) {
    await ports.events.publish(
      record.events,
      record.events.map((_, i) => outboxEventId(record.group, record.version, i)),
    );
  }
  await ports.outbox.clear(record);
}

/**
 * The relay: publishes the events of decisions whose request did not (it crashed, timed
 * out, or the bus refused), oldest first, each with the idempotency key it would have
 * had. Run by every sweep. Returns how many records it delivered.
 */
export async function relayOutbox(ports: Ports): Promise<number> {
  if (!ports.outbox) return 0;
  const records = await ports.outbox.pending(ports.clock.now() - OUTBOX_GRACE_MS, RELAY_LIMIT);
  let delivered = 0;
  for (const record of records) {
    try {
      await deliverOutbox(ports, record);
      delivered += 1;
    } catch (error) {
      ports.log.error(
        `The events of group ${record.group} (version ${record.version}) could not be published yet; the next sweep tries again.`,
        { group: record.group, version: record.version, error: String(error) },
      );
      // Oldest first: later records wait, so consumers do not see a group's events out of order.
      break;
    }
  }
  if (delivered > 0) {
    ports.log.warn(`Relayed the events of ${delivered} decision(s) whose request did not publish them.`, {
      delivered,
    });
  }
  return delivered;
}
