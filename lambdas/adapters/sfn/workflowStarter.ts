import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { WorkflowInput, WorkflowStarter } from '../../app/ports';
import { executionName, type WorkflowId } from '../../contract/workflows';

/**
 * Starts Step Functions executions. The execution name is the group and operation id,
 * so starting the same operation again (a retried request, the sweep) never runs it
 * twice: Step Functions answers a duplicate name with the execution already there.
 */
export class SfnWorkflowStarter implements WorkflowStarter {
  constructor(
    private readonly sfn: SFNClient,
    private readonly arns: Record<WorkflowId, string>,
  ) {}

  async start(input: WorkflowInput): Promise<void> {
    try {
      await this.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.arns[input.workflow],
          name: executionName(input.group, input.operationId),
          input: JSON.stringify(input),
        }),
      );
    } catch (e) {
      if (e instanceof Error && e.name === 'ExecutionAlreadyExists') return;
      throw e;
    }
  }
}
