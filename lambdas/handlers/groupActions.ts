import { failover, fallback, recover, rehome, type Ports } from '../app';
import { httpHandler } from './http/httpHandler';

/** Manual failover, fallback and recovery: 202 with the operation, 409 with the states. */
export function makeGroupActionsHandler(ports: Ports) {
  return httpHandler('groupActions', {
    'POST /v1/groups/{name}/failover': ({ path, body }) =>
      failover(ports, path.name, body.nodeId, body.dryRun),
    'POST /v1/groups/{name}/fallback': ({ path, body }) =>
      fallback(ports, path.name, body.nodeId, body.dryRun),
    'POST /v1/groups/{name}/recover': ({ path, body }) => recover(ports, path.name, body?.dryRun),
    'POST /v1/groups/{name}/rehome': ({ path, body }) => rehome(ports, path.name, body.nodeId),
  });
}
