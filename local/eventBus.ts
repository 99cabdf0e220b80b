import type { DomainEvent } from '../lambdas/core';
import type { EventPublisher } from '../lambdas/app';
import {
  EVENT_SOURCE,
  NOTIFICATION_DETAIL_TYPE,
  notificationsFor,
  notificationText,
  type NotificationDefinition,
  type NotificationKind,
} from '../lambdas/contract';

/** How many idempotency keys the local bus remembers to drop repeats. */
const SEEN_KEPT = 10_000;

/** What the embedded default says to people when an event calls for it (docs/alerts.md). */
export interface NotificationDetail {
  kind: NotificationKind;
  severity: NotificationDefinition['severity'];
  group: string;
  /** The message as the SNS topic sends it on AWS: title, what happened, what to do, where to look. */
  message: string;
  /** The `id` of the bus event that raised it. */
  causeId: number;
}

/** An event as EventBridge would deliver it to a rule's target. */
export type BusEvent =
  | {
      id: number;
      source: string;
      'detail-type': DomainEvent['detailType'];
      time: string;
      detail: Omit<DomainEvent, 'detailType'>;
    }
  | {
      id: number;
      source: string;
      'detail-type': typeof NOTIFICATION_DETAIL_TYPE;
      time: string;
      detail: NotificationDetail;
    };

/**
 * The embedded default's event bus: every event of docs/events.md is written as one JSON line
 * to the log and handed to the subscribers (the `GET /v1/events` stream), in the shape
 * EventBridge would deliver it. An event an operator must hear about (a failover, a node
 * Down, …) is followed by an `OperatorNotification` carrying the same text the stack's
 * SNS topic sends.
 */
export class LocalEventBus implements EventPublisher {
  private readonly subscribers = new Set<(e: BusEvent) => void>();
  private seq = 0;
  /** Idempotency keys of the latest events, oldest first. */
  private readonly seen = new Set<string>();

  constructor(private readonly writeLine: (line: string) => void) {}

  async publish(events: DomainEvent[], ids?: readonly string[]): Promise<void> {
    for (const [index, event] of events.entries()) {
      const eventId = ids?.[index];
      // The relay may hand in again what was published just before a crash: say it once.
      if (eventId !== undefined) {
        if (this.seen.has(eventId)) continue;
        this.seen.add(eventId);
        if (this.seen.size > SEEN_KEPT) this.seen.delete(this.seen.values().next().value as string);
      }
      const { detailType, ...rest } = event;
      const detail = eventId === undefined ? rest : { ...rest, eventId };
      const time = new Date().toISOString();
      const e: BusEvent = { id: ++this.seq, source: EVENT_SOURCE, 'detail-type': detailType, time, detail };
      this.emit(e);
      for (const definition of notificationsFor(event)) {
        const fields = event as unknown as Record<string, unknown>;
        const message = notificationText(
          definition,
          (name) => String(fields[name] ?? '-'),
          `prg status ${event.group}`,
        );
        this.emit({
          id: ++this.seq,
          source: EVENT_SOURCE,
          'detail-type': NOTIFICATION_DETAIL_TYPE,
          time,
          detail: {
            kind: definition.kind,
            severity: definition.severity,
            group: event.group,
            message,
            causeId: e.id,
          },
        });
      }
    }
  }

  private emit(e: BusEvent): void {
    this.writeLine(JSON.stringify(e));
    for (const s of this.subscribers) s(e);
  }

  /** Calls `fn` for every event from now on; returns the unsubscribe function. */
  subscribe(fn: (e: BusEvent) => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }
}
