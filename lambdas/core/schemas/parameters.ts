import * as z from 'zod';

/** The manual's five critical services: the cluster default for `criticalServices`. */
export const DEFAULT_CRITICAL_SERVICES = [
  'Cisco Client Profile Agent',
  'Cisco Sync Agent',
  'Cisco XCP Router',
  'Cisco SIP Proxy',
  'Cisco Presence Engine',
] as const;

const seconds = (min: number, max: number) => z.number().int().min(min).max(max);
const port = z.number().int().min(1).max(65535);

/** Cluster-wide parameters without the cross-field rules; PATCH bodies are partials of this. */
export const ClusterParametersFieldsSchema = z.object({
  servicePort: port,
  adminRpcPort: port,
  criticalServiceDelay: seconds(0, 3600),
  enableAutomaticFallback: z.boolean(),
  automaticFallbackDelay: seconds(0, 86400),
  initializationKeepAliveTimeout: seconds(1, 3600),
  keepAliveTimeout: seconds(1, 3600),
  keepAliveInterval: seconds(1, 300),
  criticalServices: z
    .array(
      z
        .string()
        .trim()
        .min(1)
        .max(128)
        // JavaScript's object parsers (the heartbeat's validation, DynamoDB's reader) drop
        // this one key, so a node could never report such a service running.
        .refine(
          (name) => name !== '__proto__',
          '"__proto__" cannot name a critical service: no heartbeat can report it',
        ),
    )
    .min(1)
    .max(32)
    .refine((names) => new Set(names).size === names.length, 'must not name a service twice'),
});

/**
 * Complete cluster-wide parameters. The cross-field rules are checked on the merged
 * result of a PATCH, so that raising the timeout and the interval together is allowed.
 */
export const ClusterParametersSchema = ClusterParametersFieldsSchema.strict().superRefine((params, ctx) => {
  if (params.keepAliveTimeout <= params.keepAliveInterval) {
    ctx.addIssue({
      code: 'custom',
      path: ['keepAliveTimeout'],
      message: `must be greater than keepAliveInterval (${params.keepAliveInterval} s)`,
    });
  }
  if (params.initializationKeepAliveTimeout < params.keepAliveTimeout) {
    ctx.addIssue({
      code: 'custom',
      path: ['initializationKeepAliveTimeout'],
      message: `must be at least keepAliveTimeout (${params.keepAliveTimeout} s)`,
    });
  }
});
export type ClusterParameters = z.infer<typeof ClusterParametersSchema>;

export const ClusterParametersPatchSchema = ClusterParametersFieldsSchema.partial().strict();
export type ClusterParametersPatch = z.infer<typeof ClusterParametersPatchSchema>;

/** The manual's defaults (listed in docs/data-model.md). */
export const DEFAULT_CLUSTER_PARAMETERS: ClusterParameters = {
  servicePort: 22001,
  adminRpcPort: 20075,
  criticalServiceDelay: 90,
  enableAutomaticFallback: false,
  automaticFallbackDelay: 1800,
  initializationKeepAliveTimeout: 120,
  keepAliveTimeout: 60,
  keepAliveInterval: 15,
  criticalServices: [...DEFAULT_CRITICAL_SERVICES],
};

/** Per-node parameters without the cross-field rule; PATCH bodies are partials of this. */
export const NodeParametersFieldsSchema = z.object({
  clientReloginLowerLimit: seconds(0, 3600),
  clientReloginUpperLimit: seconds(0, 3600),
});

/** Per-node parameters: how long clients wait before re-login to this node. */
export const NodeParametersSchema = NodeParametersFieldsSchema.strict().superRefine((params, ctx) => {
  if (params.clientReloginLowerLimit > params.clientReloginUpperLimit) {
    ctx.addIssue({
      code: 'custom',
      path: ['clientReloginLowerLimit'],
      message: `must not exceed clientReloginUpperLimit (${params.clientReloginUpperLimit} s)`,
    });
  }
});
export type NodeParameters = z.infer<typeof NodeParametersSchema>;

export const DEFAULT_NODE_PARAMETERS: NodeParameters = {
  clientReloginLowerLimit: 120,
  clientReloginUpperLimit: 537,
};
