import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { DomainEvent } from '../../core';
import type { EventPublisher } from '../../app/ports';
import { EVENT_SOURCE } from '../../contract/events';

/** EventBridge accepts at most 10 entries per PutEvents call. */
const BATCH = 10;

/**
 * Publishes domain events on the stack's bus: source `presence-ha`, detail-type as in
 * docs/events.md, and, for events from the outbox, their idempotency key as `eventId` in
 * the detail (EventBridge's own `id` is new at every PutEvents).
 */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(events: DomainEvent[], ids?: readonly string[]): Promise<void> {
    for (let i = 0; i < events.length; i += BATCH) {
      const batch = events.slice(i, i + BATCH).map((event, k) => {
        const eventId = ids?.[i + k];
        return eventId === undefined ? event : { ...event, eventId };
      });
      const out = await this.client.send(
        new PutEventsCommand({
          Entries: batch.map(({ detailType, ...detail }) => ({
            EventBusName: this.busName,
            Source: EVENT_SOURCE,
            DetailType: detailType,
            Detail: JSON.stringify(detail),
          })),
        }),
      );
      if ((out.FailedEntryCount ?? 0) > 0) {
        const codes = (out.Entries ?? []).flatMap((e) => (e.ErrorCode ? [e.ErrorCode] : []));
        throw new Error(
          `${out.FailedEntryCount} event(s) were not accepted by bus ${this.busName}: ${codes.join(', ')}`,
        );
      }
    }
  }
}
