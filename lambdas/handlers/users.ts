import { addUser, deleteUser, getUser, listUsers, rebalance, setHome, type Ports } from '../app';
import { callerOf } from './http/caller';
import { httpHandler } from './http/httpHandler';

/** Users, their home node and the sync agent's assignment. */
export function makeUsersHandler(ports: Ports) {
  return httpHandler('users', {
    'POST /v1/users': ({ body, event }) => addUser(ports, body, callerOf(event)),
    'GET /v1/users': ({ query }) => listUsers(ports, query),
    'GET /v1/users/{userId}': ({ path }) => getUser(ports, path.userId),
    'PUT /v1/users/{userId}/home': ({ path, body, event }) =>
      setHome(ports, path.userId, body.nodeId, callerOf(event)),
    'DELETE /v1/users/{userId}': ({ path, event }) => deleteUser(ports, path.userId, callerOf(event)),
    'POST /v1/clusters/{clusterId}/rebalance': ({ path, event }) =>
      rebalance(ports, path.clusterId, callerOf(event)),
  });
}
