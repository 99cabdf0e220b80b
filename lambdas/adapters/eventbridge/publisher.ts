import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { DomainEvent } from '../../core';
import type { EventPublisher } from '../../app/ports';
import { EVENT_SOURCE } from '../../contract/events';

/**
 * The SDK module, imported on first use: a steady heartbeat publishes nothing, and
 * loading the EventBridge client at import was a large share of the heartbeat function's
 * cold start (docs/performance.md).
 */
const sdk = () => import('@aws-sdk/client-eventbridge');

/** An EventBridge client, or how to make one when the first event is published. */
export type EventBridgeClientSource = EventBridgeClient | (() => Promise<EventBridgeClient>);

/** EventBridge accepts at most 10 entries per PutEvents call. */
const BATCH = 10;

/**
 * Publishes domain events on the stack's bus: source `presence-ha`, detail-type as in
 * docs/events.md, and, for events from the outbox, their idempotency key as `eventId` in
 * the detail (EventBridge's own `id` is new at every PutEvents).
 */
export class EventBridgePublisher implements EventPublisher {
  private made: Promise<EventBridgeClient> | undefined;

  constructor(
    private readonly source: EventBridgeClientSource,
    private readonly busName: string,
  ) {}

  /** The client, made once; a failed making is not kept, so the next publish tries again. */
  private client(): Promise<EventBridgeClient> {
    if (!this.made) {
      const source = this.source;
      this.made = typeof source === 'function' ? source() : Promise.resolve(source);
      this.made.catch(() => {
        this.made = undefined;
      });
    }
    return this.made;
  }

  async publish(events: DomainEvent[], ids?: readonly string[]): Promise<void> {
    if (events.length === 0) return;
    const [client, { PutEventsCommand }] = await Promise.all([this.client(), sdk()]);
    for (let i = 0; i < events.length; i += BATCH) {
      const batch = events.slice(i, i + BATCH).map((event, k) => {
        const eventId = ids?.[i + k];
        return eventId === undefined ? event : { ...event, eventId };
      });
      const out = await client.send(
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
