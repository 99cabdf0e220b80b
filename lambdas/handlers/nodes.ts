import {
  deleteNode,
  getNode,
  listNodes,
  nodeParameters,
  nodeView,
  patchNodeParameters,
  registerNode,
  rotateToken,
  type Ports,
} from '../app';
import { callerOf } from './http/caller';
import { httpHandler } from './http/httpHandler';

/** Node registration, listing, token rotation and per-node parameters. */
export function makeNodesHandler(ports: Ports) {
  return httpHandler('nodes', {
    'POST /v1/nodes': ({ body, event }) => registerNode(ports, body, callerOf(event)),
    'GET /v1/nodes': ({ query }) => listNodes(ports, query),
    'GET /v1/nodes/{nodeId}': async ({ path }) => nodeView(ports, await getNode(ports, path.nodeId)),
    'DELETE /v1/nodes/{nodeId}': ({ path, event }) => deleteNode(ports, path.nodeId, callerOf(event)),
    'POST /v1/nodes/{nodeId}/token': ({ path, event }) => rotateToken(ports, path.nodeId, callerOf(event)),
    'GET /v1/nodes/{nodeId}/parameters': ({ path }) => nodeParameters(ports, path.nodeId),
    'PATCH /v1/nodes/{nodeId}/parameters': ({ path, body, event }) =>
      patchNodeParameters(ports, path.nodeId, body, callerOf(event)),
  });
}
