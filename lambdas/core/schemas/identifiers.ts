import * as z from 'zod';

/** `nodeId` and `clusterId`: 1–64 of `[A-Za-z0-9._-]`. */
export const NodeIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1–64 characters of letters, digits, ".", "_" or "-"')
  // Node ids key maps that are stored (the group's token hashes): JSON parsers and the
  // DynamoDB marshaller drop a "__proto__" key, so such a node could never join a group.
  .refine((id) => id !== '__proto__', 'must not be "__proto__", a name JavaScript objects reserve');
export type NodeId = z.infer<typeof NodeIdSchema>;

export const ClusterIdSchema = NodeIdSchema;
export type ClusterId = z.infer<typeof ClusterIdSchema>;
