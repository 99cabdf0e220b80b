import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
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
  REHOME: 'arn:sm:rehome',
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

  it('starting the same operation twice is not an error while its execution runs', async () => {
    const input = {
      group: 'g',
      operationId: 'take-over-1',
      workflow: 'TAKE_OVER' as const,
      fromNode: 'a',
      toNode: 'b',
    };
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING', input: JSON.stringify(input) });
    await expect(new SfnWorkflowStarter(new SFNClient({}), ARNS).start(input)).resolves.toBeUndefined();
    expect(sfn.commandCalls(DescribeExecutionCommand)[0]!.args[0].input).toEqual({
      executionArn: 'arn:sm:take-over:g--take-over-1',
    });
  });

  describe('a deleted and re-created group never runs its workflows', () => {
    const input = {
      group: 'prg-1',
      operationId: 'take-over-1',
      workflow: 'TAKE_OVER' as const,
      fromNode: 'imp-a',
      toNode: 'imp-b',
    };
    const real = {
      TAKE_OVER: 'arn:aws:states:eu-west-1:123456789012:stateMachine:PresenceHa-take-over',
      FALL_BACK: 'arn:aws:states:eu-west-1:123456789012:stateMachine:PresenceHa-fall-back',
      RECOVER: 'arn:aws:states:eu-west-1:123456789012:stateMachine:PresenceHa-recover',
      AUTO_FALLBACK: 'arn:aws:states:eu-west-1:123456789012:stateMachine:PresenceHa-auto-fallback',
      REHOME: 'arn:aws:states:eu-west-1:123456789012:stateMachine:PresenceHa-rehome',
    };
    beforeEach(() => {
      sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    });

    it('an execution of another operation under the same name is an error saying so, not a start', async () => {
      // The old group's take-over, which ran to its end weeks ago.
      const old = { ...input, fromNode: 'imp-b', toNode: 'imp-a' };
      sfn.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED', input: JSON.stringify(old) });
      await expect(new SfnWorkflowStarter(new SFNClient({}), real).start(input)).rejects.toThrow(
        /operation take-over-1 of group prg-1 was not started: the name prg-1--take-over-1 is already taken by an execution with another input/,
      );
      expect(sfn.commandCalls(DescribeExecutionCommand)[0]!.args[0].input).toEqual({
        executionArn:
          'arn:aws:states:eu-west-1:123456789012:execution:PresenceHa-take-over:prg-1--take-over-1',
      });
    });

    it("this operation's execution that has already ended is an error too: it cannot run again", async () => {
      sfn.on(DescribeExecutionCommand).resolves({
        status: 'FAILED',
        input: JSON.stringify(input),
        stopDate: new Date('2026-11-25T09:00:00Z'),
      });
      await expect(new SfnWorkflowStarter(new SFNClient({}), real).start(input)).rejects.toThrow(
        /already taken by this operation's execution, which has already ended \(FAILED at 2026-11-25T09:00:00.000Z\)/,
      );
    });

    it('the same input in another key order is the same operation', async () => {
      const reordered = JSON.stringify({
        toNode: 'imp-b',
        fromNode: 'imp-a',
        workflow: 'TAKE_OVER',
        operationId: 'take-over-1',
        group: 'prg-1',
      });
      sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING', input: reordered });
      await expect(new SfnWorkflowStarter(new SFNClient({}), real).start(input)).resolves.toBeUndefined();
    });
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
