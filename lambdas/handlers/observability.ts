import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj } from '@middy/core';

/** One logger and one metrics instance per process, shared by every handler. */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'presence-ha' });
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'PresenceHa',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'presence-ha',
});

/**
 * Publishes the metrics an invocation recorded, if it recorded any. Powertools' own
 * middleware logs a warning for every invocation that recorded none, which for most
 * requests (no failover started) would be noise in the operators' log.
 */
export function flushMetrics<E, R>(): MiddlewareObj<E, R> {
  const flush = () => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  };
  return { after: flush, onError: flush };
}

/**
 * Puts the API Gateway request id on every log line of the request as `correlation_id`
 * (Powertools' own `correlationIdPath` needs a JMESPath package this project does not
 * ship). `injectLambdaContext(logger, { resetKeys: true })` removes it after the request.
 */
export function requestCorrelation<E extends { requestContext?: { requestId?: string } }, R>(): MiddlewareObj<
  E,
  R
> {
  return {
    before: (request) => {
      const id = request.event.requestContext?.requestId;
      if (id) logger.setCorrelationId(id);
    },
  };
}

/**
 * Puts a workflow task's `group`, `operationId` and `task` on every log line the task
 * writes, so an operator finds all the lines of one failover or fallback by its operation
 * id (the id the history, the events and the execution name carry). Use after
 * `injectLambdaContext(logger, { resetKeys: true })`, which removes them afterwards.
 */
export function operationLogKeys<
  E extends { group?: unknown; operationId?: unknown; task?: unknown },
  R,
>(): MiddlewareObj<E, R> {
  return {
    before: (request) => {
      const { group, operationId, task } = request.event;
      logger.appendKeys({
        ...(typeof group === 'string' ? { group } : {}),
        ...(typeof operationId === 'string' ? { operationId } : {}),
        ...(typeof task === 'string' ? { task } : {}),
      });
    },
  };
}
