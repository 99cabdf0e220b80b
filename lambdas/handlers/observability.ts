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
