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
import { httpHandler } from './http/httpHandler';

/** Node registration, listing, token rotation and per-node parameters. */
export function makeNodesHandler(ports: Ports) {
  return httpHandler('nodes', {
    'POST /v1/nodes': ({ body }) => registerNode(ports, body),
    'GET /v1/nodes': ({ query }) => listNodes(ports, query),
    'GET /v1/nodes/{nodeId}': async ({ path }) => nodeView(ports, await getNode(ports, path.nodeId)),
    'DELETE /v1/nodes/{nodeId}': ({ path }) => deleteNode(ports, path.nodeId),
    'POST /v1/nodes/{nodeId}/token': ({ path }) => rotateToken(ports, path.nodeId),
    'GET /v1/nodes/{nodeId}/parameters': ({ path }) => nodeParameters(ports, path.nodeId),
    'PATCH /v1/nodes/{nodeId}/parameters': ({ path, body }) => patchNodeParameters(ports, path.nodeId, body),
  });
}
