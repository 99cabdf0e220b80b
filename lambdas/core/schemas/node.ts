import * as z from 'zod';
import { ClusterIdSchema, NodeIdSchema } from './identifiers';
import { HostnameSchema } from './hostname';
import { NodeParametersFieldsSchema } from './parameters';

/**
 * A node's software version: 1–64 printable ASCII characters, no space at either end.
 * Both nodes of a group must run the same version, compared exactly, so a stray space
 * would make two equal versions differ.
 */
export const SoftwareVersionSchema = z
  .string()
  .regex(
    /^[\x21-\x7E](?:[\x20-\x7E]{0,62}[\x21-\x7E])?$/,
    'must be 1–64 printable ASCII characters, without a space at the start or the end',
  );
export type SoftwareVersion = z.infer<typeof SoftwareVersionSchema>;

/** Body of `POST /v1/nodes` (the fields: docs/data-model.md). */
export const RegisterNodeBodySchema = z
  .object({
    nodeId: NodeIdSchema,
    hostname: HostnameSchema,
    clusterId: ClusterIdSchema,
    softwareVersion: SoftwareVersionSchema,
    /** The cluster's database publisher node; both nodes of a group must name the same one. */
    publisherId: NodeIdSchema,
  })
  .strict();
export type RegisterNodeBody = z.infer<typeof RegisterNodeBodySchema>;

/**
 * Body of `PATCH /v1/nodes/{nodeId}/parameters`: any of the per-node parameters, at
 * least one. The lower ≤ upper rule is checked by the caller on the merged result with
 * `NodeParametersSchema`, so that both limits can be moved in one request.
 */
export const NodeParametersPatchSchema = NodeParametersFieldsSchema.partial()
  .strict()
  .refine((p) => Object.values(p).some((v) => v !== undefined), {
    message: 'must change at least one of clientReloginLowerLimit, clientReloginUpperLimit',
  });
export type NodeParametersPatch = z.infer<typeof NodeParametersPatchSchema>;
