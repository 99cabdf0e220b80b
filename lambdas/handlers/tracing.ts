/**
 * X-Ray through the Powertools Tracer, for the functions the stack deploys with active
 * tracing (admin, sweep, workflow task). Only their entry files import this module: the
 * heartbeat and public bundles never load the tracer or the X-Ray SDK, so the hot path
 * keeps its size and cold start (a unit test bundles the heartbeat entry to keep it so).
 * On Lambda the traced functions do not carry this code either: their bundles leave
 * Powertools and the X-Ray SDK to the Powertools layer the stack attaches to them
 * (`POWERTOOLS_LAYER_MODULES` in lib/constructs/project-function.ts).
 *
 * Outside Lambda (`npm start`, tests: no AWS_EXECUTION_ENV) the Tracer turns itself off:
 * clients are returned as they are, the middleware does nothing and no daemon is needed.
 * POWERTOOLS_TRACE_ENABLED=false turns it off in Lambda too.
 */
import middy, { type MiddlewareObj } from '@middy/core';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Context } from 'aws-lambda';
import { sdkClientFromEnv, sdkDocumentDb } from '../adapters/dynamodb/sdkDocumentDb';
import { portsFromEnv } from './composition';

/** One tracer per process, named like the logger and metrics. */
export const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'presence-ha' });

/**
 * The ports of a traced function: as `portsFromEnv`, with its DynamoDB, Step Functions
 * and EventBridge clients captured, so each call is a subsegment of the invocation. Its
 * DynamoDB calls go through the SDK (not the heartbeat's small HTTP client): the tracer
 * sees SDK clients only, and these functions start rarely enough to afford its load.
 */
export function tracedPortsFromEnv(env: NodeJS.ProcessEnv) {
  const capture = <C extends object>(client: C) => tracer.captureAWSv3Client(client);
  return portsFromEnv(env, { db: sdkDocumentDb(capture(sdkClientFromEnv(env))), instrument: capture });
}

/** A handler as its factory builds it: called by Lambda with an event and a context. */
type Handler<E, R> = (event: E, context: Context) => Promise<R>;

/**
 * Wraps a whole handler — every middleware of it included — in the invocation's handler
 * subsegment (`## <handler>`), annotated with ColdStart and Service, errors attached.
 * Responses are not recorded: they carry group views and user ids, which have no place in
 * a trace, and the history already says what changed.
 */
export function traced<E, R>(handler: Handler<E, R>, ...extra: MiddlewareObj<E, R>[]) {
  const outer = middy<E, R>((event: E, context: Context) => handler(event, context)).use(
    captureLambdaHandler(tracer, { captureResponse: false }),
  );
  for (const middleware of extra) outer.use(middleware);
  return outer;
}

/**
 * X-Ray annotations of a workflow task (`group`, `operationId`, `task`): searchable in
 * the X-Ray console, so an operator can find every trace of one operation.
 */
export function annotateTask<
  E extends { group?: unknown; operationId?: unknown; task?: unknown },
  R,
>(): MiddlewareObj<E, R> {
  return {
    before: (request) => {
      if (!tracer.isTracingEnabled()) return;
      for (const key of ['group', 'operationId', 'task'] as const) {
        const value = request.event[key];
        if (typeof value === 'string') tracer.putAnnotation(key, value);
      }
    },
  };
}
