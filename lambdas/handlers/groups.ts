import {
  createGroup,
  deleteGroup,
  findGroups,
  getGroup,
  groupHistory,
  groupView,
  updateGroup,
  type Ports,
} from '../app';
import { httpHandler } from './http/httpHandler';

/** Presence redundancy groups: create, find, show, update, delete, history. */
export function makeGroupsHandler(ports: Ports) {
  return httpHandler('groups', {
    'POST /v1/groups': ({ body }) => createGroup(ports, body),
    'GET /v1/groups': async ({ query }) => ({ groups: await findGroups(ports, query.name ?? '') }),
    'GET /v1/groups/{name}': async ({ path }) => groupView(await getGroup(ports, path.name)),
    'PATCH /v1/groups/{name}': ({ path, body }) => updateGroup(ports, path.name, body),
    'DELETE /v1/groups/{name}': ({ path }) => deleteGroup(ports, path.name),
    'GET /v1/groups/{name}/history': async ({ path, query }) => ({
      history: await groupHistory(ports, path.name, query.limit),
    }),
  });
}
