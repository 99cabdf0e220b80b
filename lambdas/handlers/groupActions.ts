import { NodeActionBodySchema } from '../core';
import { failover, fallback, recover } from '../app';
import { ports } from './composition';
import { httpHandler } from './http/httpHandler';
import { pathParam } from './http/params';
import { parse } from './http/parse';

/** Manual failover, fallback and recovery: 202 with the operation, 409 with the states. */
export const handler = httpHandler({
  'POST /v1/groups/{name}/failover': async ({ path, body }) => ({
    status: 202,
    body: await failover(ports(), pathParam(path, 'name'), parse(NodeActionBodySchema, body, 'body').nodeId),
  }),
  'POST /v1/groups/{name}/fallback': async ({ path, body }) => ({
    status: 202,
    body: await fallback(ports(), pathParam(path, 'name'), parse(NodeActionBodySchema, body, 'body').nodeId),
  }),
  'POST /v1/groups/{name}/recover': async ({ path }) => ({
    status: 202,
    body: await recover(ports(), pathParam(path, 'name')),
  }),
});
