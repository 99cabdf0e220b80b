import type { DomainEvent } from '../lambdas/core';
import type { EventPublisher } from '../lambdas/app';
import { EVENT_SOURCE } from '../lambdas/contract';

/** An event as EventBridge would deliver it to a rule's target. */
export interface BusEvent {
  id: number;
  source: string;
  'detail-type': DomainEvent['detailType'];
  time: string;
  detail: Omit<DomainEvent, 'detailType'>;
}

/**
 * The embedded default's event bus: every event of docs/events.md is written as one JSON line
 * to the log and handed to the subscribers (the `GET /v1/events` stream), in the shape
 * EventBridge would deliver it.
 */
export class LocalEventBus implements EventPublisher {
  private readonly subscribers = new Set<(e: BusEvent) => void>();
  private seq = 0;

  constructor(private readonly writeLine: (line: string) => void) {}

  async publish(events: DomainEvent[]): Promise<void> {
    for (const { detailType, ...detail } of events) {
      const e: BusEvent = {
        id: ++this.seq,
        source: EVENT_SOURCE,
        'detail-type': detailType,
        time: new Date().toISOString(),
        detail,
      };
      this.writeLine(JSON.stringify(e));
      for (const s of this.subscribers) s(e);
    }
  }

  /** Calls `fn` for every event from now on; returns the unsubscribe function. */
  subscribe(fn: (e: BusEvent) => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }
}
