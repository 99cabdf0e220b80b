import { failover, fallback, recover, rehome, type Ports } from '../app';
import { callerOf } from './http/caller';
import { httpHandler } from './http/httpHandler';

/** Manual failover, fallback and recovery: 202 with the operation, 409 with the states; each recorded with its caller. */
export function makeGroupActionsHandler(ports: Ports) {
  return httpHandler('groupActions', {
    'POST /v1/groups/{name}/failover': ({ path, body, event }) =>
      failover(ports, path.name, body.nodeId, body.dryRun, callerOf(event)),
    'POST /v1/groups/{name}/fallback': ({ path, body, event }) =>
      fallback(ports, path.name, body.nodeId, body.dryRun, callerOf(event)),
    'POST /v1/groups/{name}/recover': ({ path, body, event }) =>
      recover(ports, path.name, body?.dryRun, callerOf(event)),
    'POST /v1/groups/{name}/rehome': ({ path, body, event }) =>
      rehome(ports, path.name, body.nodeId, callerOf(event)),
  });
}
