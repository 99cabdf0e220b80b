import { addUser, deleteUser, getUser, listUsers, rebalance, setHome, type Ports } from '../app';
import { httpHandler } from './http/httpHandler';

/** Users, their home node and the sync agent's assignment. */
export function makeUsersHandler(ports: Ports) {
  return httpHandler('users', {
    'POST /v1/users': ({ body }) => addUser(ports, body),
    'GET /v1/users': ({ query }) => listUsers(ports, query),
    'GET /v1/users/{userId}': ({ path }) => getUser(ports, path.userId),
    'PUT /v1/users/{userId}/home': ({ path, body }) => setHome(ports, path.userId, body.nodeId),
    'DELETE /v1/users/{userId}': ({ path }) => deleteUser(ports, path.userId),
    'POST /v1/clusters/{clusterId}/rebalance': ({ path }) => rebalance(ports, path.clusterId),
  });
}
