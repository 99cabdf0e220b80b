/**
 * The embedded default says the same thing to people as the stack's SNS topic: an
 * OperatorNotification follows each event an on-call engineer must hear about.
 */
import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../../lambdas/core';
import { LocalEventBus, type BusEvent } from '../../../local/eventBus';

async function published(events: DomainEvent[]): Promise<BusEvent[]> {
  const bus = new LocalEventBus(() => {});
  const seen: BusEvent[] = [];
  bus.subscribe((e) => seen.push(e));
  await bus.publish(events);
  return seen;
}

const at = '2026-11-27T10:00:00.000Z';

describe('local operator notifications', () => {
  it('follows a failover start with a message naming group, nodes, reason and what to do', async () => {
    const seen = await published([
      {
        detailType: 'FailoverStarted',
        group: 'prg-1',
        operationId: 'take-over-1',
        fromNode: 'imp-a',
        toNode: 'imp-b',
        reason: 'PEER_DOWN',
        at,
      },
    ]);
    expect(seen.map((e) => e['detail-type'])).toEqual(['FailoverStarted', 'OperatorNotification']);
    const note = seen[1]!;
    if (note['detail-type'] !== 'OperatorNotification') throw new Error('not a notification');
    expect(note.detail).toMatchObject({
      kind: 'FAILOVER_STARTED',
      severity: 'critical',
      group: 'prg-1',
      causeId: seen[0]!.id,
    });
    expect(note.detail.message.split('\n')).toEqual([
      '[presence-ha critical] Failover started in group prg-1',
      'The users of imp-a are moving to imp-b (reason PEER_DOWN, operation take-over-1).',
      expect.stringMatching(/^What to do: .*prg fallback imp-a/),
      'Console: prg status prg-1',
    ]);
  });

  it('tells an automatic fallback from one an operator started', async () => {
    const fallback = (reason: 'AUTOMATIC_FALLBACK' | 'ON_ADMIN_REQUEST'): DomainEvent => ({
      detailType: 'FallbackStarted',
      group: 'prg-1',
      operationId: 'fall-back-2',
      fromNode: 'imp-b',
      toNode: 'imp-a',
      reason,
      at,
    });
    const kinds = (await published([fallback('AUTOMATIC_FALLBACK'), fallback('ON_ADMIN_REQUEST')])).flatMap(
      (e) => (e['detail-type'] === 'OperatorNotification' ? [e.detail.kind] : []),
    );
    expect(kinds).toEqual(['AUTOMATIC_FALLBACK_STARTED', 'FALLBACK_STARTED']);
  });

  it('notifies a node Down and Running in Failed Mode, not a node becoming Normal', async () => {
    const changed = (to: 'DOWN' | 'RUNNING_IN_FAILED_MODE' | 'NORMAL'): DomainEvent => ({
      detailType: 'NodeStateChanged',
      group: 'prg-1',
      nodeId: 'imp-a',
      from: 'NORMAL',
      to,
      reason: 'PEER_DOWN',
      epoch: 3,
      at,
    });
    const kinds = (
      await published([changed('DOWN'), changed('NORMAL'), changed('RUNNING_IN_FAILED_MODE')])
    ).flatMap((e) => (e['detail-type'] === 'OperatorNotification' ? [e.detail.kind] : []));
    expect(kinds).toEqual(['NODE_DOWN', 'RUNNING_IN_FAILED_MODE']);
  });

  it('tells a failed failover from a successful one', async () => {
    const done = (outcome: 'succeeded' | 'failed'): DomainEvent => ({
      detailType: 'FailoverCompleted',
      group: 'prg-1',
      operationId: 'take-over-1',
      fromNode: 'imp-a',
      toNode: 'imp-b',
      reason: 'PEER_DOWN',
      outcome,
      at,
    });
    const notes = (await published([done('succeeded'), done('failed')])).flatMap((e) =>
      e['detail-type'] === 'OperatorNotification' ? [e.detail] : [],
    );
    expect(notes.map((n) => n.kind)).toEqual(['FAILOVER_SUCCEEDED', 'FAILOVER_FAILED']);
    expect(notes[1]!.message).toContain('prg recover prg-1');
  });
});
