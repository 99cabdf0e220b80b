import { RegisterNodeBodySchema, NodeParametersPatchSchema } from '../core';
import {
  deleteNode,
  getNode,
  listNodes,
  nodeParameters,
  nodeView,
  patchNodeParameters,
  registerNode,
  rotateToken,
} from '../app';
import { ports } from './composition';
import { httpHandler } from './http/httpHandler';
import { pathParam } from './http/params';
import { parse } from './http/parse';

/** Node registration, listing, token rotation and per-node parameters. */
export const handler = httpHandler({
  'POST /v1/nodes': async ({ body }) => ({
    status: 201,
    body: await registerNode(ports(), parse(RegisterNodeBodySchema, body, 'body')),
  }),
  'GET /v1/nodes': async () => ({ status: 200, body: { nodes: await listNodes(ports()) } }),
  'GET /v1/nodes/{nodeId}': async ({ path }) => ({
    status: 200,
    body: await nodeView(ports(), await getNode(ports(), pathParam(path, 'nodeId'))),
  }),
  'DELETE /v1/nodes/{nodeId}': async ({ path }) => {
    await deleteNode(ports(), pathParam(path, 'nodeId'));
    return { status: 204 };
  },
  'POST /v1/nodes/{nodeId}/token': async ({ path }) => ({
    status: 200,
    body: await rotateToken(ports(), pathParam(path, 'nodeId')),
  }),
  'GET /v1/nodes/{nodeId}/parameters': async ({ path }) => ({
    status: 200,
    body: await nodeParameters(ports(), pathParam(path, 'nodeId')),
  }),
  'PATCH /v1/nodes/{nodeId}/parameters': async ({ path, body }) => ({
    status: 200,
    body: await patchNodeParameters(
      ports(),
      pathParam(path, 'nodeId'),
      parse(NodeParametersPatchSchema, body, 'body'),
    ),
  }),
});
