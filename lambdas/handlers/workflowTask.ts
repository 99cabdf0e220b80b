import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { automaticFallbackDue, checkOperation, moveUsers, reportFailure, type WorkflowTask } from '../app';
import { ports } from './composition';
import { flushMetrics, logger } from './observability';

/** Thrown for failures worth retrying; the workflows retry exactly this error name with backoff. */
export class TransientError extends Error {
  override readonly name = 'TransientError';
}

const TRANSIENT = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TransactionConflictException',
]);

/** Runs one workflow task (docs/stack.md has the contract); the name of a thrown error steers the ASL's Retry and Catch. */
export async function runTask(task: WorkflowTask): Promise<unknown> {
  const p = ports();
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
      default: {
        const never: never = task;
        throw new Error(
          `Unknown workflow task ${JSON.stringify(never)}; the state machine and the function disagree.`,
        );
      }
    }
  } catch (e) {
    if (e instanceof Error && TRANSIENT.has(e.name)) throw new TransientError(e.message);
    throw e;
  }
}

// Failed operations and the fallbacks automatic fallback starts are counted here.
export const handler = middy(runTask).use(injectLambdaContext(logger)).use(flushMetrics());
