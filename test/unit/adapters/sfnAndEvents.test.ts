import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SfnWorkflowStarter } from '../../../lambdas/adapters/sfn/workflowStarter';
import { executionName } from '../../../lambdas/contract';
import { EventBridgePublisher } from '../../../lambdas/adapters/eventbridge/publisher';
import type { DomainEvent } from '../../../lambdas/core';

const ARNS = {
  TAKE_OVER: 'arn:sm:take-over',
  FALL_BACK: 'arn:sm:fall-back',
  RECOVER: 'arn:sm:recover',
  AUTO_FALLBACK: 'arn:sm:auto-fallback',
};
const sfn = mockClient(SFNClient);
const eb = mockClient(EventBridgeClient);
beforeEach(() => {
  sfn.reset();
  eb.reset();
});

describe('the Step Functions workflow starter', () => {
  it('starts the kind of workflow the core asked for, named after the group and operation', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'x', startDate: new Date() });
    const input = {
      group: 'prg-1',
      operationId: 'fall-back-4',
      workflow: 'FALL_BACK' as const,
      fromNode: 'b',
      toNode: 'a',
    };
    await new SfnWorkflowStarter(new SFNClient({}), ARNS).start(input);
    expect(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input).toEqual({
      stateMachineArn: 'arn:sm:fall-back',
      name: 'prg-1--fall-back-4',
      input: JSON.stringify(input),
    });
  });

  it('starting the same operation twice is not an error (the execution already exists)', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    await expect(
      new SfnWorkflowStarter(new SFNClient({}), ARNS).start({
        group: 'g',
        operationId: 'take-over-1',
        workflow: 'TAKE_OVER',
        fromNode: 'a',
        toNode: 'b',
      }),
    ).resolves.toBeUndefined();
  });

  it('execution names are always valid: at most 80 of letters, digits, - and _, distinct for distinct groups', () => {
    const long = 'g'.repeat(128);
    const a = executionName(long, 'take-over-1');
    const b = executionName(`${'g'.repeat(127)}h`, 'take-over-1');
    for (const n of [a, b, executionName('prg.1', 'x')]) expect(n).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
    expect(a).not.toBe(b);
  });
});

describe('the EventBridge publisher', () => {
  const event = (i: number): DomainEvent => ({
    detailType: 'NodeStateChanged',
    group: 'prg-1',
    nodeId: `n${i}`,
    from: 'NORMAL',
    to: 'DOWN',
    reason: 'PEER_DOWN',
    epoch: i,
    at: '2026-11-25T09:00:00.000Z',
  });

  it('publishes on the bus with source presence-ha and the detail-type of docs/events.md, ten entries per call', async () => {
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
    await new EventBridgePublisher(new EventBridgeClient({}), 'bus-1').publish(
      Array.from({ length: 12 }, (_, i) => event(i)),
    );
    const calls = eb.commandCalls(PutEventsCommand);
    expect(calls.map((c) => c.args[0].input.Entries?.length)).toEqual([10, 2]);
    const first = calls[0]!.args[0].input.Entries![0]!;
    expect(first).toMatchObject({
      EventBusName: 'bus-1',
      Source: 'presence-ha',
      DetailType: 'NodeStateChanged',
    });
    expect(JSON.parse(first.Detail!)).toEqual({
      group: 'prg-1',
      nodeId: 'n0',
      from: 'NORMAL',
      to: 'DOWN',
      reason: 'PEER_DOWN',
      epoch: 0,
      at: '2026-11-25T09:00:00.000Z',
    });
  });

  it('an entry the bus refused is an error naming its code', async () => {
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] });
    await expect(
      new EventBridgePublisher(new EventBridgeClient({}), 'bus-1').publish([event(1)]),
    ).rejects.toThrow(/InternalFailure/);
  });
});
