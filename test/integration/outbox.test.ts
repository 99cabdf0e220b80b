/**
 * Events and history are an outbox of the state write: stored in the decision's own
 * transaction, so a crash between the state write and the publish loses nothing, and
 * the relay publishes each event once, with the idempotency key it would have had.
 */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { beforeEach, describe, expect, it } from 'vitest';
import { failover, OUTBOX_GRACE_MS, type Ports } from '../../lambdas/app';
import { localContext } from '../../local/apiGatewayEvent';
import { apiHarness, type ApiHarness } from '../support/apiHarness';
import { beat, normalPair, states } from '../support/apiPair';

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
});

class Crash extends Error {}

/** The harness's ports, with a process that dies right after its group write is stored. */
function crashingAfterStateWrite(ports: Ports): Ports {
  const groups = Object.create(ports.groups) as Ports['groups'];
  groups.save = async (...args) => {
    await ports.groups.save(...args);
    throw new Crash('the function died after its write');
  };
  return { ...ports, groups };
}

const runSweep = () => h.handlers.sweep({}, localContext('sweep'));

describe('the outbox of group decisions', () => {
  it('a crash between the state write and the publish loses neither history nor events', async () => {
    await normalPair(h);
    const before = h.published().length;
    await expect(failover(crashingAfterStateWrite(h.ports), 'prg-1', 'imp-a')).rejects.toThrow(Crash);

    // The decision stands, and its history lines were stored with it.
    expect(await states(h)).toEqual([
      ['FAILING_OVER', 'ON_ADMIN_REQUEST'],
      ['TAKING_OVER', 'ON_ADMIN_REQUEST'],
    ]);
    const history = await h.call('GET', '/v1/groups/prg-1/history');
    expect(
      history.body.history
        .slice(0, 2)
        .map((e: { to: string }) => e.to)
        .sort(),
    ).toEqual(['FAILING_OVER', 'TAKING_OVER']);
    // Nothing was published by the dead request.
    expect(h.published()).toHaveLength(before);

    // Within the grace period the sweep leaves it to the request; after it, relays it.
    await runSweep();
    expect(h.published()).toHaveLength(before);
    h.clock.t += OUTBOX_GRACE_MS + 1;
    await runSweep();
    // Relayed first, before whatever the sweep itself decides about the silent pair.
    const relayed = h.published().slice(before, before + 3);
    expect(relayed.map((e) => e.detailType)).toEqual([
      'FailoverStarted',
      'NodeStateChanged',
      'NodeStateChanged',
    ]);
    for (const e of relayed) expect(e.eventId).toMatch(/^prg-1:\d+:\d$/);

    // Relayed once: later sweeps publish only new decisions, never a key seen before.
    h.clock.t += 60_000;
    await runSweep();
    const ids = h
      .published()
      .slice(before)
      .map((e) => e.eventId as string);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('a bus that refuses at the time of the decision gets the events later, with the same keys', async () => {
    await normalPair(h);
    h.events.on(PutEventsCommand).rejectsOnce(new Error('EventBridge is throttling'));
    const res = await h.call('POST', '/v1/groups/prg-1/failover', { body: { nodeId: 'imp-a' } });
    expect(res.status).toBe(202);
    const tried = h.published().filter((e) => e.detailType === 'FailoverStarted');
    h.clock.t += OUTBOX_GRACE_MS + 1;
    await runSweep();
    const started = h.published().filter((e) => e.detailType === 'FailoverStarted');
    // The refused attempt and the relayed one carry one key: a consumer that saw the first drops the second.
    expect(started).toHaveLength(tried.length + 1);
    expect(new Set(started.map((e) => e.eventId)).size).toBe(1);
  });

  it('a decision published at once leaves nothing for the relay, and a steady heartbeat writes no outbox record', async () => {
    const { a, b } = await normalPair(h);
    h.dynamoCalls.length = 0;
    h.clock.t += 1000;
    await beat(h, a);
    await beat(h, b);
    expect(h.dynamoCalls).not.toContain('TransactWriteItemsCommand');
    await h.call('POST', '/v1/groups/prg-1/failover', { body: { nodeId: 'imp-a' } });
    expect(h.dynamoCalls).toContain('TransactWriteItemsCommand');
    expect(await h.ports.outbox!.pending(h.clock.t + 60_000, 100)).toEqual([]);
    // The sweep's own decisions are published, but nothing of the failover a second time.
    h.clock.t += OUTBOX_GRACE_MS + 1;
    await runSweep();
    const ids = h.published().map((e) => e.eventId as string);
    expect(ids.every((id) => typeof id === 'string')).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
