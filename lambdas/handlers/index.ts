/**
 * Every function's handler, built from one set of ports: what the embedded default and
 * the tests run. Lambda entries (`lambdas/entries/`) import only their own factory, so a
 * bundle holds only its own handlers.
 */
import type { Context } from 'aws-lambda';
import type { Ports } from '../app';
import type { FunctionId } from '../contract';
import { makeGroupActionsHandler } from './groupActions';
import { makeGroupsHandler } from './groups';
import { makeHeartbeatHandler } from './heartbeat';
import { makeNodesHandler } from './nodes';
import { makeParametersHandler } from './parameters';
import { makePublicHandler } from './public';
import { makeSweepHandler } from './sweep';
import { makeUsersHandler } from './users';
import { makeWorkflowTaskHandler } from './workflowTask';

/** A handler as a test or the embedded default invokes it: an event in, the Lambda's answer out. */
export type InvokableHandler = (event: unknown, context: Context) => Promise<unknown>;

/** One handler per function, over the same ports. */
export function makeHandlers(ports: Ports): Record<FunctionId, InvokableHandler> {
  const handlers = {
    public: makePublicHandler(ports),
    nodes: makeNodesHandler(ports),
    groups: makeGroupsHandler(ports),
    groupActions: makeGroupActionsHandler(ports),
    parameters: makeParametersHandler(ports),
    users: makeUsersHandler(ports),
    heartbeat: makeHeartbeatHandler(ports),
    sweep: makeSweepHandler(ports),
    workflowTask: makeWorkflowTaskHandler(ports),
  };
  return handlers as unknown as Record<FunctionId, InvokableHandler>;
}

export { portsFrom, portsFromEnv, workflowArnsFromEnv, type PortsConfig } from './composition';
export { wireDocumentDb, type WireOptions } from '../adapters/dynamodb/wire/wireDocumentDb';
export { sdkDocumentDb } from '../adapters/dynamodb/sdkDocumentDb';
export type { DocumentDb } from '../adapters/dynamodb/commands';
export { MAX_BODY_BYTES, type HttpEvent } from './http/httpHandler';
export { ADMIN_SCOPE, READ_SCOPE } from './http/auth';
export { PayloadTooLargeError, problemResponse, toProblem } from './http/problem';
export { TransientError } from './workflowTask';
