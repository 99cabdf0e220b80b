import * as z from 'zod';
import { NodeIdSchema } from './identifiers';

const NAME_CHARACTERS = /^[A-Za-z0-9_-]*$/;
const NAME_RULE = 'must be 1–128 characters of letters, digits, "_" or "-"';

/** A presence redundancy group's name: 1–128 of `[A-Za-z0-9_-]`, unique. */
export const GroupNameSchema = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, NAME_RULE);
export type GroupName = z.infer<typeof GroupNameSchema>;

/** The characters a description may not contain, in the order the manual lists them. */
export const FORBIDDEN_DESCRIPTION_CHARACTERS = ['"', '%', '&', '\\', '/', '<', '>'] as const;
const FORBIDDEN = new Set<string>(FORBIDDEN_DESCRIPTION_CHARACTERS);

/**
 * A group's description: 0–128 characters, none of `" % & \ / < >`. Length is
 * counted in characters as the operator sees them (code points), so an accented letter
 * or an emoji counts once; the message names the forbidden characters that were found.
 */
export const GroupDescriptionSchema = z.string().superRefine((text, ctx) => {
  const characters = [...text];
  if (characters.length > 128) {
    ctx.addIssue({ code: 'custom', message: `must be at most 128 characters (it has ${characters.length})` });
  }
  const found = [...new Set(characters.filter((c) => FORBIDDEN.has(c)))];
  if (found.length > 0) {
    ctx.addIssue({
      code: 'custom',
      message: `must not contain any of the characters ${FORBIDDEN_DESCRIPTION_CHARACTERS.join(' ')} (found ${found.join(' ')})`,
    });
  }
});
export type GroupDescription = z.infer<typeof GroupDescriptionSchema>;

/** Body of `POST /v1/groups`. Registration, cluster and publisher checks need storage: the caller's. */
export const CreateGroupBodySchema = z
  .object({
    name: GroupNameSchema,
    description: GroupDescriptionSchema.default(''),
    nodes: z
      .array(NodeIdSchema)
      .min(1, 'must list 1 or 2 nodes')
      .max(2, 'must list 1 or 2 nodes: a presence redundancy group is a pair'),
    highAvailability: z.boolean({ error: 'must be true or false' }).default(false),
  })
  .strict()
  .superRefine((body, ctx) => {
    const [first, second] = body.nodes;
    if (second !== undefined && second === first) {
      ctx.addIssue({
        code: 'custom',
        path: ['nodes', 1],
        message: `must differ from the first node (${first}): a group needs two distinct nodes`,
      });
    }
    if (body.highAvailability && body.nodes.length !== 2) {
      ctx.addIssue({
        code: 'custom',
        path: ['highAvailability'],
        message: `high availability needs two nodes; the group lists ${body.nodes.length}`,
      });
    }
  });
export type CreateGroupBody = z.infer<typeof CreateGroupBodySchema>;

/** Body of `PATCH /v1/groups/{name}`: at least one field, so that an empty PATCH is a mistake, not a no-op. */
export const UpdateGroupBodySchema = z
  .object({
    description: GroupDescriptionSchema.optional(),
    highAvailability: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .strict()
  .refine((b) => b.description !== undefined || b.highAvailability !== undefined, {
    message: 'must change at least one of description, highAvailability',
  });
export type UpdateGroupBody = z.infer<typeof UpdateGroupBodySchema>;

/** Body of `POST /v1/groups/{name}/failover` (the node to fail over) and `…/fallback` (the node to fall back to). */
export const NodeActionBodySchema = z
  .object({
    nodeId: NodeIdSchema,
    /** Show what would happen (200) instead of doing it (202). */
    dryRun: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .strict();
export type NodeActionBody = z.infer<typeof NodeActionBodySchema>;

// Control characters (C0 and DEL) would let a reason drive an operator's terminal.
// eslint-disable-next-line no-control-regex -- looking for control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Body of `PUT /v1/groups/{name}/maintenance`: why, and when the window ends by itself
 * (an ISO 8601 time with its offset; how far ahead is checked against the clock).
 */
export const MaintenanceBodySchema = z
  .object({
    reason: z
      .string({ error: 'must say why, in 1–200 characters' })
      .trim()
      .min(1, 'must say why, in 1–200 characters')
      .max(200, 'must say why, in 1–200 characters')
      .refine((s) => !CONTROL.test(s), 'must not contain control characters'),
    until: z.iso.datetime({
      offset: true,
      error: 'must be an ISO 8601 time such as 2026-11-27T18:00:00Z, at most 7 days ahead',
    }),
  })
  .strict();
export type MaintenanceBody = z.infer<typeof MaintenanceBodySchema>;

/** Body of `POST /v1/groups/{name}/recover`: none, or `{ "dryRun": true }` to see what it would do. */
export const RecoverBodySchema = z
  .object({ dryRun: z.boolean({ error: 'must be true or false' }).optional() })
  .strict()
  .optional();
export type RecoverBody = z.infer<typeof RecoverBodySchema>;

/** Body of `POST /v1/groups/{name}/rehome`: the failed-over node whose users get its peer as their home. */
export const RehomeBodySchema = z.object({ nodeId: NodeIdSchema }).strict();
export type RehomeBody = z.infer<typeof RehomeBodySchema>;

/** Query of `GET /v1/groups?name=PREFIX`: an empty prefix finds every group. */
export const GroupsQuerySchema = z
  .object({
    name: z
      .string()
      .max(128, 'must be a prefix of a group name: at most 128 characters')
      .regex(NAME_CHARACTERS, 'must be a prefix of a group name: letters, digits, "_" or "-"')
      .optional(),
  })
  .strict();
export type GroupsQuery = z.infer<typeof GroupsQuerySchema>;

const LIMIT_RULE = 'must be a whole number from 1 to 1000';

/** Query of `GET /v1/groups/{name}/history?limit=N`; query values arrive as strings. */
export const HistoryQuerySchema = z
  .object({
    limit: z.coerce
      .number({ error: LIMIT_RULE })
      .int(LIMIT_RULE)
      .min(1, LIMIT_RULE)
      .max(1000, LIMIT_RULE)
      .default(50),
  })
  .strict();
export type HistoryQuery = z.infer<typeof HistoryQuerySchema>;
