/**
 * The Step Functions and EventBridge adapters make their client on first use, once, from
 * the factory the composition passes in: a function that never starts a workflow never
 * loads that SDK, and a factory that failed once is tried again rather than kept failed.
 */
import { describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SfnWorkflowStarter } from '../../../lambdas/adapters/sfn/workflowStarter';
import { EventBridgePublisher } from '../../../lambdas/adapters/eventbridge/publisher';
import type { DomainEvent } from '../../../lambdas/core';

const ARNS = {
  TAKE_OVER: 'arn:sm:take-over',
  FALL_BACK: 'arn:sm:fall-back',
  RECOVER: 'arn:sm:recover',
  AUTO_FALLBACK: 'arn:sm:auto-fallback',
  REHOME: 'arn:sm:rehome',
};
const input = (n: number) => ({
  group: 'g',
  operationId: `take-over-${n}`,
  workflow: 'TAKE_OVER' as const,
  fromNode: 'a',
  toNode: 'b',
});

describe('clients made on first use', () => {
  it('the workflow starter makes its client at the first start, once, and retries a failed making', async () => {
    const sfn = mockClient(SFNClient);
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'x', startDate: new Date() });
    const make = vi
      .fn<() => Promise<SFNClient>>()
      .mockRejectedValueOnce(new Error('no credentials yet'))
      .mockImplementation(async () => new SFNClient({}));
    const starter = new SfnWorkflowStarter(make, ARNS);
    expect(make).not.toHaveBeenCalled();
    await expect(starter.start(input(1))).rejects.toThrow('no credentials yet');
    await starter.start(input(2));
    await starter.start(input(3));
    expect(make).toHaveBeenCalledTimes(2);
    expect(sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name)).toEqual([
      'g--take-over-2',
      'g--take-over-3',
    ]);
    sfn.restore();
  });

  it('the event publisher makes its client at the first event, not for an empty batch', async () => {
    const eb = mockClient(EventBridgeClient);
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
    const make = vi.fn(async () => new EventBridgeClient({}));
    const publisher = new EventBridgePublisher(make, 'bus-1');
    await publisher.publish([]);
    expect(make).not.toHaveBeenCalled();
    const event = { detailType: 'NodeDown', group: 'g', nodeId: 'a', at: 1 } as unknown as DomainEvent;
    await publisher.publish([event]);
    await publisher.publish([event]);
    expect(make).toHaveBeenCalledTimes(1);
    expect(eb.commandCalls(PutEventsCommand)).toHaveLength(2);
    eb.restore();
  });
});
