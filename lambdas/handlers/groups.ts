import {
  createGroup,
  deleteGroup,
  endMaintenance,
  findGroups,
  getGroup,
  groupHistory,
  groupView,
  startMaintenance,
  updateGroup,
  type Ports,
} from '../app';
import { callerOf } from './http/caller';
import { httpHandler } from './http/httpHandler';

/** Presence redundancy groups: create, find, show, update, delete, history. */
export function makeGroupsHandler(ports: Ports) {
  return httpHandler('groups', {
    'POST /v1/groups': ({ body, event }) => createGroup(ports, body, callerOf(event)),
    'GET /v1/groups': ({ query }) => findGroups(ports, query),
    'GET /v1/groups/{name}': async ({ path }) => groupView(await getGroup(ports, path.name)),
    'PATCH /v1/groups/{name}': ({ path, body, event }) =>
      updateGroup(ports, path.name, body, callerOf(event)),
    'DELETE /v1/groups/{name}': ({ path, event }) => deleteGroup(ports, path.name, callerOf(event)),
    'PUT /v1/groups/{name}/maintenance': ({ path, body, event }) =>
      startMaintenance(ports, path.name, body, callerOf(event)),
    'DELETE /v1/groups/{name}/maintenance': ({ path, event }) =>
      endMaintenance(ports, path.name, callerOf(event)),
    'GET /v1/groups/{name}/history': ({ path, query }) => groupHistory(ports, path.name, query),
  });
}
