import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { StateMachine } from 'aws-local-stepfunctions';
import type { OperatorLog, WorkflowInput, WorkflowStarter } from '../lambdas/app';
import { executionName, WORKFLOWS, WORKFLOW_IDS, type WorkflowId } from '../lambdas/contract';

/** What a Task state's Lambda is: the workflowTask handler, called in-process. */
export type TaskInvoker = (payload: Record<string, unknown>) => Promise<unknown>;

interface AslDefinition {
  States: Record<string, { Type: string; [k: string]: unknown }>;
  [k: string]: unknown;
}

/** Reads a workflow's ASL file, the same one CDK deploys. */
export function loadDefinition(id: WorkflowId): AslDefinition {
  const url = new URL(`../statemachines/${WORKFLOWS[id].file}`, import.meta.url);
  return JSON.parse(readFileSync(fileURLToPath(url), 'utf8')) as AslDefinition;
}

/**
 * Runs the workflows of `statemachines/*.asl.json` with aws-local-stepfunctions. Every
 * Task state invokes the workflowTask Lambda through `lambda:invoke`; here each is bound
 * to the same handler in-process, its answer wrapped in `Payload` as the integration
 * returns it. Wait states take their real durations. Like Step Functions, an execution
 * name is used once: starting the same operation again while its execution runs does
 * nothing, and any other start under a name already used (an execution that ended, or
 * another input) is refused as Step Functions refuses it, so that the embedded default
 * shows the same failures as AWS.
 */
export class LocalWorkflowRunner implements WorkflowStarter {
  private readonly machines: Record<WorkflowId, StateMachine>;
  private readonly taskStates: Record<WorkflowId, string[]>;
  /** Every execution name ever started, with its input; Step Functions keeps them 90 days. */
  private readonly started = new Map<string, string>();
  private readonly running = new Map<string, { abort: () => void; result: Promise<unknown> }>();
  /**
   * Test-only: awaited before each task runs, with the workflow and the task's payload, so
   * a test can take storage away at an exact step (test/integration/storageFaults.test.ts).
   */
  beforeTask: ((workflow: string, payload: Record<string, unknown>) => Promise<void>) | null = null;
  /** Test-only: tasks to fail on their next run, per group (see `failNext`). */
  private readonly faults = new Map<string, Set<string>>();

  constructor(
    private readonly invoke: TaskInvoker,
    private readonly log: OperatorLog,
  ) {
    const defs = Object.fromEntries(WORKFLOW_IDS.map((id) => [id, loadDefinition(id)])) as Record<
      WorkflowId,
      AslDefinition
    >;
    this.machines = Object.fromEntries(
      WORKFLOW_IDS.map((id) => [
        id,
        new StateMachine(defs[id] as never, { validationOptions: { checkArn: false } }),
      ]),
    ) as Record<WorkflowId, StateMachine>;
    this.taskStates = Object.fromEntries(
      WORKFLOW_IDS.map((id) => [
        id,
        Object.entries(defs[id].States)
          .filter(([, s]) => s.Type === 'Task')
          .map(([name]) => name),
      ]),
    ) as Record<WorkflowId, string[]>;
  }

  async start(input: WorkflowInput): Promise<void> {
    const name = executionName(input.group, input.operationId);
    const used = this.started.get(name);
    if (used !== undefined) {
      if (used === JSON.stringify(input) && this.running.has(name)) return;
      throw new Error(
        `Workflow ${input.workflow} of operation ${input.operationId} of group ${input.group} was not started: the name ${name} is already taken by ${used === JSON.stringify(input) ? "this operation's execution, which has already ended" : `an execution with another input (${used})`}.`,
      );
    }
    this.started.set(name, JSON.stringify(input));
    const overrides = Object.fromEntries(
      this.taskStates[input.workflow].map((state) => [
        state,
        async (params: unknown) => {
          const payload = (params as { Payload?: Record<string, unknown> }).Payload ?? {};
          this.injectedFault(input.group, String(payload.task));
          if (this.beforeTask) await this.beforeTask(input.workflow, payload);
          return { Payload: (await this.invoke(payload)) as never };
        },
      ]),
    );
    const execution = this.machines[input.workflow].run({ ...input } as never, {
      overrides: { taskResourceLocalHandlers: overrides },
      noThrowOnAbort: true,
    });
    const result = execution.result.then(
      (out: unknown) => {
        this.log.info('Workflow ended', { execution: name, workflow: input.workflow, output: out });
      },
      (e: unknown) => {
        this.log.warn(`Workflow ${name} failed`, { execution: name, error: String(e) });
      },
    );
    this.running.set(name, { abort: execution.abort, result });
    void result.finally(() => this.running.delete(name));
    this.log.info('Workflow started', { execution: name, workflow: input.workflow });
  }

  /**
   * Test-only switch: the next `task` run for `group` fails as if its step could not be
   * done (for example `moveUsers`: the user move fails). It exists only in the embedded
   * default, which is never bundled into a Lambda, and only when its test switches are on.
   */
  failNext(group: string, task: string): void {
    const set = this.faults.get(group) ?? new Set<string>();
    set.add(task);
    this.faults.set(group, set);
  }

  private injectedFault(group: string, task: string): void {
    const set = this.faults.get(group);
    if (!set?.delete(task)) return;
    // A step that cannot succeed: the workflows retry every other error (statemachines/*.asl.json).
    throw Object.assign(new Error(`Injected by the embedded default's test switch: ${task} failed.`), {
      name: 'UserMoveFailed',
    });
  }

  /** Executions still running. */
  get active(): number {
    return this.running.size;
  }

  /** Aborts every running execution (on shutdown). */
  async stop(): Promise<void> {
    for (const { abort } of this.running.values()) abort();
    await Promise.allSettled([...this.running.values()].map((r) => r.result));
  }
}
