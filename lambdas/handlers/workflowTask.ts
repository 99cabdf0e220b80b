import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import {
  automaticFallbackDue,
  checkOperation,
  ConflictError,
  moveUsers,
  rehomeUsersPage,
  reportFailure,
  type Ports,
  type WorkflowTask,
} from '../app';
import { isBusy, isUnreachable } from './failures';
import { flushMetrics, logger, operationLogKeys } from './observability';

/** Thrown for failures worth retrying; the workflows retry exactly this error name with backoff. */
export class TransientError extends Error {
  override readonly name = 'TransientError';
}

/**
 * Failures worth another try rather than failing the pair: throttling, a busy or
 * unreachable service, a group other requests kept changing. Anything else is a step
 * that cannot complete, and the workflow reports it to the domain.
 */
function isTransient(e: unknown): boolean {
  if (e instanceof ConflictError) return e.code === 'CONCURRENT_UPDATE';
  return isUnreachable(e) || isBusy(e);
}

/** Runs one workflow task (docs/stack.md has the contract); the name of a thrown error steers the ASL's Retry and Catch. */
export async function runTask(p: Ports, task: WorkflowTask): Promise<unknown> {
  try {
    switch (task.task) {
      case 'checkOperation':
        return await checkOperation(p, task.group, task.operationId);
      case 'moveUsers':
        return await moveUsers(p, task.group, task.operationId);
      case 'reportFailure':
        return await reportFailure(p, task.group, task.operationId, task.error);
      case 'automaticFallbackDue':
        return await automaticFallbackDue(p, task.group, task.timerId);
      case 'rehomeUsers':
        return await rehomeUsersPage(p, task.group, task.operationId, task.fromNode, task.toNode);
      default: {
        const never: never = task;
        throw new Error(
          `Unknown workflow task ${JSON.stringify(never)}; the state machine and the function disagree.`,
        );
      }
    }
  } catch (e) {
    if (isTransient(e)) throw new TransientError(e instanceof Error ? e.message : String(e));
    throw e;
  }
}

/** The workflows' task function. Failed operations and the fallbacks automatic fallback starts are counted here. */
export function makeWorkflowTaskHandler(ports: Ports) {
  return middy((task: WorkflowTask) => runTask(ports, task))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(operationLogKeys())
    .use(flushMetrics());
}
