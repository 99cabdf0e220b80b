import { CreateGroupBodySchema, GroupsQuerySchema, HistoryQuerySchema, UpdateGroupBodySchema } from '../core';
import { createGroup, deleteGroup, findGroups, getGroup, groupHistory, groupView, updateGroup } from '../app';
import { ports } from './composition';
import { httpHandler } from './http/httpHandler';
import { pathParam } from './http/params';
import { parse } from './http/parse';

/** Presence redundancy groups: create, find, show, update, delete, history. */
export const handler = httpHandler({
  'POST /v1/groups': async ({ body }) => ({
    status: 201,
    body: await createGroup(ports(), parse(CreateGroupBodySchema, body, 'body')),
  }),
  'GET /v1/groups': async ({ query }) => ({
    status: 200,
    body: { groups: await findGroups(ports(), parse(GroupsQuerySchema, query, 'query').name ?? '') },
  }),
  'GET /v1/groups/{name}': async ({ path }) => ({
    status: 200,
    body: groupView(await getGroup(ports(), pathParam(path, 'name'))),
  }),
  'PATCH /v1/groups/{name}': async ({ path, body }) => ({
    status: 200,
    body: await updateGroup(ports(), pathParam(path, 'name'), parse(UpdateGroupBodySchema, body, 'body')),
  }),
  'DELETE /v1/groups/{name}': async ({ path }) => {
    await deleteGroup(ports(), pathParam(path, 'name'));
    return { status: 204 };
  },
  'GET /v1/groups/{name}/history': async ({ path, query }) => ({
    status: 200,
    body: {
      history: await groupHistory(
        ports(),
        pathParam(path, 'name'),
        parse(HistoryQuerySchema, query, 'query').limit,
      ),
    },
  }),
});
