/**
 * Paging, as the route table declares it: every list takes `?limit=` and `?cursor=` and
 * answers its items with `next`, the cursor of the following page (null after the last).
 * The cursor is opaque to clients; the use cases sign it and refuse one that was altered
 * or comes from another list (see lambdas/app/paging.ts).
 */
import * as z from 'zod';
import { GroupsQuerySchema, NodeIdSchema } from '../core';

/** Items per page when the client does not say. */
export const DEFAULT_PAGE_LIMIT = 100;
/** The most items one page may hold: a page's reads stay bounded whatever the fleet's size. */
export const MAX_PAGE_LIMIT = 1000;
/**
 * What a cursor looks like: base64url text, a dot, a base64url MAC. Longer than any cursor
 * the API hands out, shorter than anything worth reading.
 */
const CURSOR_PATTERN = /^[A-Za-z0-9_-]{1,2000}\.[A-Za-z0-9_-]{1,100}$/;

const LIMIT_RULE = `must be a whole number from 1 to ${MAX_PAGE_LIMIT}`;
const CURSOR_RULE = 'must be the "next" of an earlier page of this list, unchanged';

/** `?limit=&cursor=`: query values arrive as strings. */
export const PAGE_QUERY = {
  limit: z.coerce
    .number({ error: LIMIT_RULE })
    .int(LIMIT_RULE)
    .min(1, LIMIT_RULE)
    .max(MAX_PAGE_LIMIT, LIMIT_RULE)
    .default(DEFAULT_PAGE_LIMIT)
    .describe(`Items per page, 1–${MAX_PAGE_LIMIT} (default ${DEFAULT_PAGE_LIMIT})`),
  // One rule, so a bad cursor is named once: bounded lengths are in the pattern itself.
  cursor: z
    .string()
    .regex(CURSOR_PATTERN, CURSOR_RULE)
    .optional()
    .describe('The "next" of the previous page; leave out for the first page'),
};

/** Query of `GET /v1/nodes`. */
export const NodesQuerySchema = z.object(PAGE_QUERY).strict();

/** Query of `GET /v1/groups?name=PREFIX`. */
export const GroupsPageQuerySchema = z.object({ ...GroupsQuerySchema.shape, ...PAGE_QUERY }).strict();

/** Query of `GET /v1/groups/{name}/history`. */
export const HistoryPageQuerySchema = z.object(PAGE_QUERY).strict();

/** Query of `GET /v1/users?node=NODE`: every user, or those whose home is that node. */
export const UsersQuerySchema = z
  .object({ node: NodeIdSchema.optional().describe('Only the users whose home is this node'), ...PAGE_QUERY })
  .strict();

/** The `next` field of every list. */
export const NextCursorSchema = z
  .string()
  .nullable()
  .describe('Pass as ?cursor= for the next page; null after the last page');
