/**
 * The workflows of statemachines/ against their contract (docs/stack.md): valid ASL,
 * one Lambda for every Task, and the control flow of each workflow run for real with
 * aws-local-stepfunctions, the Lambda replaced by fakes bound by state name, exactly as
 * the embedded default binds the real handler.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  ExecutionError,
  StateMachine,
  type RunOptions,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS, WORKFLOW_IDS, WORKFLOWS, type WorkflowId } from '../../../lambdas/contract';
import { OPERATION_TIMEOUT_SECONDS } from '../../../lambdas/core';

type Overrides = NonNullable<RunOptions['overrides']>;
type Handler = NonNullable<Overrides['taskResourceLocalHandlers']>[string];
type Payload = Record<string, unknown>;

// asl-validator ships no types; this is the part of its API the test uses.
const aslValidator = createRequire(import.meta.url)('asl-validator') as (
  definition: unknown,
  options?: { checkPaths?: boolean; checkArn?: boolean },
) => { isValid: boolean; errorsText: (separator?: string) => string };

const PLACEHOLDER = '${WorkflowTaskFunctionArn}';
const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:PresenceHa-WorkflowTask';
const TRANSIENT_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'TransientError',
];

const aslText = (id: WorkflowId): string =>
  readFileSync(new URL(`../../../statemachines/${WORKFLOWS[id].file}`, import.meta.url), 'utf8');
/** The definition as CloudFormation deploys it: the placeholder replaced by the function's ARN. */
const deployed = (id: WorkflowId): StateMachineDefinition =>
  JSON.parse(aslText(id).replaceAll(PLACEHOLDER, FUNCTION_ARN)) as StateMachineDefinition;

interface StateJson {
  Type: string;
  Resource?: string;
  Parameters?: { FunctionName?: string; Payload?: Payload };
  ResultSelector?: Record<string, string>;
  Retry?: {
    ErrorEquals: string[];
    MaxAttempts?: number;
    BackoffRate?: number;
    IntervalSeconds?: number;
    MaxDelaySeconds?: number;
  }[];
  Catch?: { ErrorEquals: string[]; ResultPath?: string; Next: string }[];
  Comment?: string;
}
const statesOf = (id: WorkflowId): Record<string, StateJson> =>
  (JSON.parse(aslText(id)) as { States: Record<string, StateJson> }).States;

/** An error as the Lambda runtime names it: the name is what Retry and Catch match. */
function lambdaError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

interface Call {
  state: string;
  functionName: unknown;
  payload: Payload;
}

/**
 * Runs a workflow with the given fakes. Each fake gets the Lambda's payload and returns
 * the Lambda's return value; it is wrapped as the lambda:invoke integration wraps it
 * (`{ Payload, StatusCode }`), which is what the ASL's ResultSelector reads.
 */
async function run(
  id: WorkflowId,
  input: Payload,
  fakes: Record<string, (payload: Payload) => unknown>,
): Promise<{ output?: unknown; error?: unknown; states: string[]; calls: Call[] }> {
  const calls: Call[] = [];
  const taskResourceLocalHandlers: Record<string, Handler> = {};
  for (const [state, fake] of Object.entries(fakes)) {
    taskResourceLocalHandlers[state] = async (taskInput) => {
      const { FunctionName, Payload } = taskInput as { FunctionName: unknown; Payload: Payload };
      calls.push({ state, functionName: FunctionName, payload: Payload });
      const result = await fake(Payload);
      return { ExecutedVersion: '$LATEST', StatusCode: 200, Payload: result } as never;
    };
  }
  const states = statesOf(id);
  const instant = (type: string): Record<string, number> =>
    Object.fromEntries(
      Object.entries(states)
        .filter(([, s]) => s.Type === type || (type === 'Retry' && s.Retry))
        .map(([name]) => [name, 0]),
    );
  const execution = new StateMachine(deployed(id)).run(input as never, {
    overrides: {
      taskResourceLocalHandlers,
      waitTimeOverrides: instant('Wait'),
      retryIntervalOverrides: instant('Retry'),
    },
  });
  const entered: string[] = [];
  const logs = (async () => {
    for await (const event of execution.eventLogs) {
      if (event.type === 'StateEntered') entered.push(event.state.name);
    }
  })();
  try {
    const output = await execution.result;
    await logs;
    return { output, states: entered, calls };
  } catch (error) {
    await logs;
    return { error, states: entered, calls };
  }
}

/** The Error name of the Fail state (or uncaught error) that ended an execution. */
function failure(error: unknown): { name: string; message: string } {
  expect(error).toBeInstanceOf(ExecutionError);
  const cause = (error as ExecutionError).cause as Error;
  return { name: cause.name, message: cause.message };
}

const input = (workflow: WorkflowId, extra: Payload = {}): Payload => ({
  group: 'prg-1',
  operationId: 'op-42',
  workflow,
  fromNode: 'imp-a',
  toNode: 'imp-b',
  ...extra,
});

describe('the ASL files', () => {
  it.each(WORKFLOW_IDS)('%s passes asl-validator, paths and ARNs included', (id) => {
    const result = aslValidator(deployed(id), { checkPaths: true, checkArn: true });
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  it.each(WORKFLOW_IDS)(
    '%s: every Task invokes the one workflowTask Lambda through the placeholder',
    (id) => {
      const tasks = Object.entries(statesOf(id)).filter(([, s]) => s.Type === 'Task');
      expect(tasks.length).toBeGreaterThan(0);
      for (const [name, state] of tasks) {
        expect(state.Resource, name).toBe('arn:aws:states:::lambda:invoke');
        expect(state.Parameters?.FunctionName, name).toBe(PLACEHOLDER);
        expect(state.Parameters?.Payload?.['group.$'], name).toBe('$.group');
        expect(state.Parameters?.Payload?.['operationId.$'], name).toBe('$.operationId');
        expect(typeof state.Parameters?.Payload?.task, name).toBe('string');
      }
      // The placeholder appears nowhere else, so the substitution cannot touch anything but FunctionName.
      expect(aslText(id).split(PLACEHOLDER).length - 1).toBe(tasks.length);
    },
  );

  it.each(WORKFLOW_IDS)(
    '%s: one transient error puts both nodes in failed mode — every Task retries every failure but UserMoveFailed, with capped, jittered backoff',
    (id) => {
      for (const [name, state] of Object.entries(statesOf(id)).filter(([, s]) => s.Type === 'Task')) {
        expect(state.Retry?.[0], name).toEqual({ ErrorEquals: ['UserMoveFailed'], MaxAttempts: 0 });
        const retrier = state.Retry?.[1];
        expect(retrier!.ErrorEquals, name).toEqual(['States.ALL']);
        expect(retrier, name).toMatchObject({ MaxDelaySeconds: 30, JitterStrategy: 'FULL' });
        expect(retrier!.BackoffRate!, name).toBeGreaterThan(1);
        expect(state.Retry, name).toHaveLength(2);
      }
    },
  );

  it.each(WORKFLOW_IDS)(
    '%s: the retries of one Task fit in the time an operation has past its deadlines',
    (id) => {
      const lambdaSeconds = FUNCTIONS.workflowTask.timeoutSeconds;
      for (const [name, state] of Object.entries(statesOf(id)).filter(([, s]) => s.Type === 'Task')) {
        const r = state.Retry![1]!;
        let waits = 0;
        for (let k = 0; k < r.MaxAttempts!; k++)
          waits += Math.min(r.IntervalSeconds! * r.BackoffRate! ** k, r.MaxDelaySeconds!);
        // Every attempt may run into the function's timeout; every wait may be its cap.
        const worst = waits + (r.MaxAttempts! + 1) * lambdaSeconds;
        expect(worst, name).toBeLessThan(OPERATION_TIMEOUT_SECONDS);
        // And they outlast a DynamoDB or Lambda hiccup of minutes, not seconds.
        expect(waits, name).toBeGreaterThanOrEqual(300);
      }
    },
  );

  it.each(WORKFLOW_IDS)('%s: every state says why in a Comment, and its name is PascalCase', (id) => {
    for (const [name, state] of Object.entries(statesOf(id))) {
      expect(name).toMatch(/^[A-Z][A-Za-z]+$/);
      if (state.Type !== 'Choice' || state.Comment !== undefined) expect(state.Comment, name).toBeTruthy();
    }
  });

  it.each(['MoveUsers', 'CheckOperation'])(
    '%s catches every error into ReportFailure with the error',
    (task) => {
      const holders = WORKFLOW_IDS.filter((id) => statesOf(id)[task]);
      expect(holders.length).toBeGreaterThan(0);
      for (const id of holders) {
        expect(statesOf(id)[task]!.Catch).toEqual([
          { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'ReportFailure' },
        ]);
        expect(statesOf(id).ReportFailure!.Parameters!.Payload).toMatchObject({
          task: 'reportFailure',
          'error.$': '$.error',
        });
      }
    },
  );

  it('the task state names the embedded default binds are the documented ones', () => {
    const tasks = new Set(
      WORKFLOW_IDS.flatMap((id) =>
        Object.entries(statesOf(id))
          .filter(([, s]) => s.Type === 'Task')
          .map(([name, s]) => `${name}:${String(s.Parameters!.Payload!.task)}`),
      ),
    );
    expect([...tasks].sort()).toEqual([
      'AutomaticFallbackDue:automaticFallbackDue',
      'CheckOperation:checkOperation',
      'MovePage:rehomeUsers',
      'MoveUsers:moveUsers',
      'ReportFailure:reportFailure',
    ]);
  });
});

const moved = (): Payload => ({ outcome: 'moved', users: 150_000 });
const noReport = (): never => {
  throw new Error('ReportFailure must not run');
};

const movePhase = () => ({ phase: 'MOVE_USERS', waitSeconds: 1 });

describe.each(['TAKE_OVER', 'RECOVER'] as const)('%s', (id) => {
  /**
   * Both first ask the domain whether the users may move: a take-over waits for the failing
   * node to stop, a recovery for the node holding failed-over users to hear it.
   */
  const asks = true;
  const run1 = (fakes: Record<string, (payload: Payload) => unknown>) =>
    run(id, input(id), asks ? { CheckOperation: movePhase, ...fakes } : fakes);
  const moves = (calls: Call[]) => calls.filter((c) => c.state !== 'CheckOperation');

  it('succeeds when MoveUsers succeeds, passing the Lambda exactly its payload', async () => {
    const { output, error, states, calls } = await run1({
      MoveUsers: moved,
      ReportFailure: noReport,
    });
    expect(error).toBeUndefined();
    expect(states).toEqual([
      ...(asks ? ['CheckOperation', 'OperationPhase'] : []),
      'MoveUsers',
      'UsersMoved',
    ]);
    expect(moves(calls)).toEqual([
      {
        state: 'MoveUsers',
        functionName: FUNCTION_ARN,
        payload: { task: 'moveUsers', group: 'prg-1', operationId: 'op-42' },
      },
    ]);
    expect(output).toMatchObject({ ...input(id), move: { outcome: 'moved', users: 150_000 } });
  });

  it('succeeds when the move was superseded (a repeated delivery)', async () => {
    const { output, error } = await run1({
      MoveUsers: () => ({ outcome: 'superseded', users: 0 }),
      ReportFailure: noReport,
    });
    expect(error).toBeUndefined();
    expect(output).toMatchObject({ move: { outcome: 'superseded', users: 0 } });
  });

  it.each([...TRANSIENT_ERRORS, 'Sandbox.Timedout', 'ConditionalCheckFailedException', 'Error'])(
    'retries a %s from MoveUsers, then succeeds',
    async (name) => {
      let attempts = 0;
      const { output, error, calls } = await run1({
        MoveUsers: () => {
          attempts += 1;
          if (attempts < 3) throw lambdaError(name, 'try again');
          return moved();
        },
        ReportFailure: noReport,
      });
      expect(error).toBeUndefined();
      expect(moves(calls).map((c) => c.state)).toEqual(['MoveUsers', 'MoveUsers', 'MoveUsers']);
      expect(output).toMatchObject({ move: { outcome: 'moved' } });
    },
  );

  it('gives up on a transient error after its retries and reports the failure', async () => {
    const { error, calls } = await run1({
      MoveUsers: () => {
        throw lambdaError('TransientError', 'DynamoDB kept throttling');
      },
      ReportFailure: () => ({}),
    });
    // One attempt and fourteen retries, then the Catch.
    expect(calls.filter((c) => c.state === 'MoveUsers')).toHaveLength(15);
    expect(calls.at(-1)!.payload.error).toEqual({
      Error: 'TransientError',
      Cause: 'DynamoDB kept throttling',
    });
    expect(failure(error).name).toMatch(/UsersFailed$/);
  });

  it('ends a failed user move (UserMoveFailed) in ReportFailure at once (given the error) and the Fail state', async () => {
    const { error, states, calls } = await run1({
      MoveUsers: () => {
        throw lambdaError('UserMoveFailed', 'the users could not be moved');
      },
      ReportFailure: () => ({}),
    });
    expect(moves(calls).map((c) => c.state)).toEqual(['MoveUsers', 'ReportFailure']);
    expect(moves(calls)[1]!.payload).toEqual({
      task: 'reportFailure',
      group: 'prg-1',
      operationId: 'op-42',
      error: { Error: 'UserMoveFailed', Cause: 'the users could not be moved' },
    });
    const failState = id === 'TAKE_OVER' ? 'TakeOverFailed' : 'RecoveryFailed';
    expect(states).toEqual([
      ...(asks ? ['CheckOperation', 'OperationPhase'] : []),
      'MoveUsers',
      'ReportFailure',
      failState,
    ]);
    const { name, message } = failure(error);
    expect(name).toBe(id === 'TAKE_OVER' ? 'TakeOverUsersFailed' : 'RecoveryUsersFailed');
    expect(message).toContain(id === 'TAKE_OVER' ? 'TAKE_OVER_USERS_FAILED' : 'TAKE_BACK_USERS_FAILED');
    expect(message).toContain('recover');
  });

  it('says so when even the failure report fails', async () => {
    const { error, states } = await run1({
      MoveUsers: () => {
        throw lambdaError('Error', 'boom');
      },
      ReportFailure: () => {
        throw lambdaError('Error', 'table gone');
      },
    });
    expect(states.at(-1)).toBe('FailureNotRecorded');
    expect(failure(error).message).toContain('deadline');
  });
});

describe('FALL_BACK', () => {
  const phases = (...answers: string[]) => {
    let i = 0;
    return () => ({ phase: answers[Math.min(i++, answers.length - 1)], waitSeconds: 10 });
  };

  it('loops through AWAIT_SERVICES until MOVE_USERS, then moves the users', async () => {
    const { output, error, states, calls } = await run('FALL_BACK', input('FALL_BACK'), {
      CheckOperation: phases('AWAIT_SERVICES', 'AWAIT_SERVICES', 'AWAIT_SERVICES', 'MOVE_USERS'),
      MoveUsers: moved,
      ReportFailure: noReport,
    });
    expect(error).toBeUndefined();
    expect(calls.map((c) => c.state)).toEqual([
      'CheckOperation',
      'CheckOperation',
      'CheckOperation',
      'CheckOperation',
      'MoveUsers',
    ]);
    expect(states.filter((s) => s === 'WaitForServices')).toHaveLength(3);
    expect(states.at(-1)).toBe('UsersMoved');
    expect(calls[0]!.payload).toEqual({ task: 'checkOperation', group: 'prg-1', operationId: 'op-42' });
    expect(output).toMatchObject({
      check: { phase: 'MOVE_USERS', waitSeconds: 10 },
      move: { outcome: 'moved' },
    });
  });

  it('waits as long as CheckOperation says', async () => {
    const definition = statesOf('FALL_BACK');
    expect(definition.WaitForServices).toMatchObject({ Type: 'Wait', SecondsPath: '$.check.waitSeconds' });
  });

  it('stops without moving when the operation ENDED (failed by a timer, or superseded)', async () => {
    const { error, states, calls } = await run('FALL_BACK', input('FALL_BACK'), {
      CheckOperation: phases('AWAIT_SERVICES', 'ENDED'),
      MoveUsers: () => {
        throw new Error('MoveUsers must not run');
      },
      ReportFailure: noReport,
    });
    expect(error).toBeUndefined();
    expect(calls.map((c) => c.state)).toEqual(['CheckOperation', 'CheckOperation']);
    expect(states.at(-1)).toBe('OperationEnded');
  });

  it('a CheckOperation failing after all its retries is reported as a failed take back', async () => {
    const { error, calls, states } = await run('FALL_BACK', input('FALL_BACK'), {
      CheckOperation: () => {
        throw lambdaError('Error', 'corrupt group item');
      },
      ReportFailure: () => ({}),
    });
    expect(calls.map((c) => c.state)).toEqual([...Array<string>(15).fill('CheckOperation'), 'ReportFailure']);
    expect(calls[15]!.payload.error).toEqual({ Error: 'Error', Cause: 'corrupt group item' });
    expect(states.at(-1)).toBe('FallBackFailed');
    expect(failure(error).message).toContain('TAKE_BACK_USERS_FAILED');
  });

  it('a failed user move is reported as a failed take back', async () => {
    const { error, calls } = await run('FALL_BACK', input('FALL_BACK'), {
      CheckOperation: phases('MOVE_USERS'),
      MoveUsers: () => {
        throw lambdaError('UserMoveFailed', 'no');
      },
      ReportFailure: () => ({}),
    });
    expect(calls.map((c) => c.state)).toEqual(['CheckOperation', 'MoveUsers', 'ReportFailure']);
    expect(failure(error).name).toBe('TakeBackUsersFailed');
  });

  it('retries a TransientError from CheckOperation', async () => {
    let attempts = 0;
    const { error, calls } = await run('FALL_BACK', input('FALL_BACK'), {
      CheckOperation: () => {
        attempts += 1;
        if (attempts === 1) throw lambdaError('TransientError', 'throttled');
        return { phase: 'MOVE_USERS', waitSeconds: 10 };
      },
      MoveUsers: moved,
      ReportFailure: noReport,
    });
    expect(error).toBeUndefined();
    expect(calls.map((c) => c.state)).toEqual(['CheckOperation', 'CheckOperation', 'MoveUsers']);
  });

  it('fails loudly, without reporting, on a phase outside the contract', async () => {
    const { error, states } = await run('FALL_BACK', input('FALL_BACK'), {
      CheckOperation: phases('SOMETHING_ELSE'),
      MoveUsers: moved,
      ReportFailure: noReport,
    });
    expect(states.at(-1)).toBe('UnexpectedPhase');
    expect(failure(error).name).toBe('UnexpectedOperationPhase');
  });
});

describe('TAKE_OVER of a manual failover', () => {
  const phases = (...answers: string[]) => {
    let i = 0;
    return () => ({ phase: answers[Math.min(i++, answers.length - 1)], waitSeconds: 1 });
  };

  it('manual failover moves users before the failing node has stopped: it waits through AWAIT_STOP, then moves', async () => {
    const { error, states, calls } = await run('TAKE_OVER', input('TAKE_OVER'), {
      CheckOperation: phases('AWAIT_STOP', 'AWAIT_STOP', 'MOVE_USERS'),
      MoveUsers: moved,
      ReportFailure: noReport,
    });
    expect(error).toBeUndefined();
    expect(calls.map((c) => c.state)).toEqual([
      'CheckOperation',
      'CheckOperation',
      'CheckOperation',
      'MoveUsers',
    ]);
    expect(states.filter((s) => s === 'WaitForStop')).toHaveLength(2);
    expect(statesOf('TAKE_OVER').WaitForStop).toMatchObject({
      Type: 'Wait',
      SecondsPath: '$.check.waitSeconds',
    });
  });

  it('stops without moving when the operation ENDED (the node did not stop in time)', async () => {
    const { error, states, calls } = await run('TAKE_OVER', input('TAKE_OVER'), {
      CheckOperation: phases('AWAIT_STOP', 'ENDED'),
      MoveUsers: () => {
        throw new Error('MoveUsers must not run');
      },
      ReportFailure: noReport,
    });
    expect(error).toBeUndefined();
    expect(calls.map((c) => c.state)).toEqual(['CheckOperation', 'CheckOperation']);
    expect(states.at(-1)).toBe('OperationEnded');
  });
});

describe('AUTO_FALLBACK', () => {
  it('waits, then calls AutomaticFallbackDue with the timer id', async () => {
    const { output, error, states, calls } = await run(
      'AUTO_FALLBACK',
      input('AUTO_FALLBACK', { waitSeconds: 1800 }),
      { AutomaticFallbackDue: () => ({ started: true }) },
    );
    expect(error).toBeUndefined();
    expect(states).toEqual(['WaitForDelay', 'AutomaticFallbackDue', 'Checked']);
    expect(calls).toEqual([
      {
        state: 'AutomaticFallbackDue',
        functionName: FUNCTION_ARN,
        payload: { task: 'automaticFallbackDue', group: 'prg-1', operationId: 'op-42', timerId: 'op-42' },
      },
    ]);
    expect(output).toMatchObject({ due: { started: true } });
  });

  it('waits for the waitSeconds of its input', () => {
    expect(statesOf('AUTO_FALLBACK').WaitForDelay).toMatchObject({
      Type: 'Wait',
      SecondsPath: '$.waitSeconds',
    });
  });

  it('succeeds when a new fault cancelled the fallback', async () => {
    const { output, error } = await run('AUTO_FALLBACK', input('AUTO_FALLBACK', { waitSeconds: 5 }), {
      AutomaticFallbackDue: () => ({ started: false }),
    });
    expect(error).toBeUndefined();
    expect(output).toMatchObject({ due: { started: false } });
  });

  it('never reports a failed re-check as a failed move', async () => {
    const { error, states } = await run('AUTO_FALLBACK', input('AUTO_FALLBACK', { waitSeconds: 5 }), {
      AutomaticFallbackDue: () => {
        throw lambdaError('Error', 'boom');
      },
    });
    expect(states).not.toContain('ReportFailure');
    expect(failure(error).name).toBe('AutomaticFallbackNotChecked');
  });
});

describe('REHOME', () => {
  it('moves a page per task until done, waits while the index catches up, passing the Lambda its payload', async () => {
    const pages = [
      { outcome: 'moving', moved: 200, remaining: 250 },
      { outcome: 'moving', moved: 0, remaining: 250 },
      { outcome: 'moving', moved: 200, remaining: 50 },
      { outcome: 'done', moved: 50, remaining: 0 },
    ];
    const { output, states, calls } = await run('REHOME', input('REHOME'), {
      MovePage: () => pages.shift(),
    });
    expect(states).toEqual([
      'MovePage',
      'MoreToMove',
      'MovePage',
      'MoreToMove',
      'IndexCatchingUp',
      'MovePage',
      'MoreToMove',
      'MovePage',
      'MoreToMove',
      'Rehomed',
    ]);
    expect(calls[0]!.payload).toEqual({
      task: 'rehomeUsers',
      group: 'prg-1',
      operationId: 'op-42',
      fromNode: 'imp-a',
      toNode: 'imp-b',
    });
    expect(output).toMatchObject({ page: { outcome: 'done', remaining: 0 } });
  });

  it('stops when the node is no longer failed over to that peer', async () => {
    const { states } = await run('REHOME', input('REHOME'), {
      MovePage: () => ({ outcome: 'superseded', moved: 0, remaining: 12 }),
    });
    expect(states).toEqual(['MovePage', 'MoreToMove', 'Superseded']);
  });
});
