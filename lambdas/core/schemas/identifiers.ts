import { z } from 'zod';

/** `nodeId` and `clusterId`: 1–64 of `[A-Za-z0-9._-]`. */
export const NodeIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1–64 characters of letters, digits, ".", "_" or "-"');
export type NodeId = z.infer<typeof NodeIdSchema>;

export const ClusterIdSchema = NodeIdSchema;
export type ClusterId = z.infer<typeof ClusterIdSchema>;
