import * as z from 'zod';
import { ClusterIdSchema, NodeIdSchema } from './identifiers';

/** A user id: 1–128 of letters, digits and `. _ @ + -`, so that an e-mail-like id fits. */
export const UserIdSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9._@+-]{1,128}$/,
    'must be 1–128 characters of letters, digits, ".", "_", "@", "+" or "-"',
  );
export type UserId = z.infer<typeof UserIdSchema>;

/** Body of `POST /v1/users`: the sync agent chooses the home node. */
export const CreateUserBodySchema = z.object({ userId: UserIdSchema, clusterId: ClusterIdSchema }).strict();
export type CreateUserBody = z.infer<typeof CreateUserBodySchema>;

/** Body of `PUT /v1/users/{userId}/home`: a manual assignment (mode `NONE`). */
export const SetHomeBodySchema = z.object({ nodeId: NodeIdSchema }).strict();
export type SetHomeBody = z.infer<typeof SetHomeBodySchema>;
