import { CreateUserBodySchema, SetHomeBodySchema } from '../core';
import { addUser, deleteUser, getUser, rebalance, setHome } from '../app';
import { ports } from './composition';
import { httpHandler } from './http/httpHandler';
import { pathParam } from './http/params';
import { parse } from './http/parse';

/** Users, their home node and the sync agent's assignment. */
export const handler = httpHandler({
  'POST /v1/users': async ({ body }) => ({
    status: 201,
    body: await addUser(ports(), parse(CreateUserBodySchema, body, 'body')),
  }),
  'GET /v1/users/{userId}': async ({ path }) => ({
    status: 200,
    body: await getUser(ports(), pathParam(path, 'userId')),
  }),
  'PUT /v1/users/{userId}/home': async ({ path, body }) => ({
    status: 200,
    body: await setHome(ports(), pathParam(path, 'userId'), parse(SetHomeBodySchema, body, 'body').nodeId),
  }),
  'DELETE /v1/users/{userId}': async ({ path }) => {
    await deleteUser(ports(), pathParam(path, 'userId'));
    return { status: 204 };
  },
  'POST /v1/clusters/{clusterId}/rebalance': async ({ path }) => ({
    status: 202,
    body: await rebalance(ports(), pathParam(path, 'clusterId')),
  }),
});
