import type { SFNClient } from '@aws-sdk/client-sfn';
import type { WorkflowInput, WorkflowStarter } from '../../app/ports';
import { executionName, type WorkflowId } from '../../contract/workflows';

/**
 * The SDK module, imported on first use: most invocations of most functions start no
 * workflow, and loading the Step Functions client at import was a large share of the
 * heartbeat function's cold start (docs/performance.md).
 */
const sdk = () => import('@aws-sdk/client-sfn');

/** A Step Functions client, or how to make one when the first workflow starts. */
export type SfnClientSource = SFNClient | (() => Promise<SFNClient>);

/** The ARN of execution `name` of a state machine: Step Functions' own naming rule. */
export function executionArn(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

/** Two workflow inputs say the same: the same fields with the same values, in any order. */
function sameInput(stored: string | undefined, input: WorkflowInput): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stored ?? 'null');
  } catch {
    return false;
  }
  if (parsed === null || typeof parsed !== 'object') return false;
  const a = parsed as Record<string, unknown>;
  const b = input as unknown as Record<string, unknown>;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => a[k] === b[k]);
}

/**
 * Starts Step Functions executions, named after the group and the operation (whose id
 * ends with the group's incarnation, so a name is never used by two operations). Starting
 * the same operation again (a retried request, the sweep) must not run it twice: Step
 * Functions refuses a name already used in the last 90 days with ExecutionAlreadyExists.
 * That counts as started only when the execution under that name is running with this
 * very input; any other execution there (one that ended, or another operation's) means
 * this operation's workflow is not running, and saying "started" would leave it waiting
 * for a workflow that never comes.
 */
export class SfnWorkflowStarter implements WorkflowStarter {
  private client: Promise<SFNClient> | undefined;

  constructor(
    private readonly source: SfnClientSource,
    private readonly arns: Record<WorkflowId, string>,
  ) {}

  /** The client, made once; a failed making is not kept, so the next start tries again. */
  private sfn(): Promise<SFNClient> {
    if (!this.client) {
      const source = this.source;
      this.client = typeof source === 'function' ? source() : Promise.resolve(source);
      this.client.catch(() => {
        this.client = undefined;
      });
    }
    return this.client;
  }

  async start(input: WorkflowInput): Promise<void> {
    const stateMachineArn = this.arns[input.workflow];
    const name = executionName(input.group, input.operationId);
    const [sfn, { StartExecutionCommand }] = await Promise.all([this.sfn(), sdk()]);
    try {
      await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
    } catch (e) {
      if (!(e instanceof Error && e.name === 'ExecutionAlreadyExists')) throw e;
      await this.alreadyRunning(stateMachineArn, name, input);
    }
  }

  /** Resolves when execution `name` is this operation's and running; throws saying what is there instead. */
  private async alreadyRunning(stateMachineArn: string, name: string, input: WorkflowInput): Promise<void> {
    const arn = executionArn(stateMachineArn, name);
    const [sfn, { DescribeExecutionCommand }] = await Promise.all([this.sfn(), sdk()]);
    const found = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
    const mine = sameInput(found.input, input);
    if (mine && found.status === 'RUNNING') return;
    const what = mine
      ? `this operation's execution, which has already ended (${found.status ?? 'status unknown'}${found.stopDate ? ` at ${found.stopDate.toISOString()}` : ''}); it cannot run again under the same name, so the operation is failed by its deadline`
      : `an execution with another input (${found.input ?? 'none'}), so not this operation's: execution names must never repeat`;
    throw new Error(
      `Workflow ${input.workflow} of operation ${input.operationId} of group ${input.group} was not started: the name ${name} is already taken by ${what}.`,
    );
  }
}
