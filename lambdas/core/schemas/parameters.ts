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
  /**
   * The longest a node takes to stop its critical services (its agent's stop command).
   * The agent starts its self-fence this much earlier, so the services are down by the
   * time the peer may take the users over (docs/safety.md). Not one of the manual's
   * parameters: absent until an operator sets it, and absent counts as 0.
   */
  serviceStopSeconds: seconds(0, 3600).optional(),
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
 * The timers a cluster had before its last change of `keepAliveTimeout` or
 * `keepAliveInterval`, kept until every agent has either heard the new ones or fenced on
 * the old ones (docs/safety.md, "Changing the timers"). Written by the control plane only;
 * a PATCH cannot set it.
 */
export const TimerChangeSchema = z
  .object({
    keepAliveTimeout: seconds(1, 3600),
    keepAliveInterval: seconds(1, 300),
    /** Until then (epoch ms) a node's silence is judged with the larger of both timeouts. */
    until: z.number().int().min(0),
  })
  .strict();
export type TimerChange = z.infer<typeof TimerChangeSchema>;

/**
 * Complete cluster-wide parameters. The cross-field rules are checked on the merged
 * result of a PATCH, so that raising the timeout and the interval together is allowed.
 */
export const ClusterParametersSchema = ClusterParametersFieldsSchema.extend({
  timerChange: TimerChangeSchema.optional(),
})
  .strict()
  .superRefine((params, ctx) => {
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

/**
 * What an agent's clock may gain or lose against the control plane's, as a fraction of
 * the time measured (0.1 %: ten times what a common crystal drifts).
 */
export const CLOCK_DRIFT = 0.001;
/**
 * Fixed slack between the agent's fence and the control plane's judgement: the clocks of
 * two control-plane functions disagreeing, a timer of the agent firing late, rounding.
 */
export const FENCE_SLACK_MS = 500;

/** The cluster's `serviceStopSeconds`, 0 where it was stored before it existed. */
export function serviceStopSeconds(params: Pick<ClusterParameters, 'serviceStopSeconds'>): number {
  return params.serviceStopSeconds ?? 0;
}

/**
 * When an agent must begin stopping its critical services (its self-fence), in seconds
 * after it sent the last heartbeat that was answered, to a tenth of a second (rounded
 * down): `keepAliveTimeout` less the stop time, the slack and the clock drift over the
 * timeout. Stopped by then, the node is down before the control plane may find it silent
 * (docs/safety.md has the arithmetic). Never below 0.
 */
export function fenceAfterSeconds(
  params: Pick<ClusterParameters, 'keepAliveTimeout' | 'serviceStopSeconds'>,
): number {
  const timeoutMs = params.keepAliveTimeout * 1000;
  const ms = timeoutMs - serviceStopSeconds(params) * 1000 - FENCE_SLACK_MS - timeoutMs * CLOCK_DRIFT;
  return Math.max(0, Math.floor(ms / 100) / 10);
}

/**
 * The parameters the control plane judges a node's silence with at `now`: while a change
 * of the timers is settling (see {@link TimerChangeSchema}), `keepAliveTimeout` is the
 * larger of the old and the new one, because an agent that has not yet heard the new
 * timers fences on the old ones. Everything else is as given.
 */
export function judgingParameters(params: ClusterParameters, now: number): ClusterParameters {
  const change = params.timerChange;
  if (!change || now >= change.until || change.keepAliveTimeout <= params.keepAliveTimeout) return params;
  return { ...params, keepAliveTimeout: change.keepAliveTimeout };
}

/** The timer fields whose combination decides whether an agent can fence in time. */
export const FENCE_FIELDS = ['serviceStopSeconds', 'keepAliveTimeout', 'keepAliveInterval'] as const;

/**
 * Why these timers cannot give the fencing guarantee, or null when they can: the agent
 * must be able to miss one answer without fencing a healthy node, so its fence may start
 * no sooner than two heartbeat intervals after the last answered heartbeat.
 */
export function fenceRuleBroken(params: ClusterParameters): string | null {
  const fence = fenceAfterSeconds(params);
  const needed = 2 * params.keepAliveInterval;
  if (fence >= needed) return null;
  return (
    `an agent would have to start fencing ${fence} s after its last answered heartbeat ` +
    `(keepAliveTimeout ${params.keepAliveTimeout} s, less serviceStopSeconds ${serviceStopSeconds(params)} s and ` +
    `${((FENCE_SLACK_MS + params.keepAliveTimeout * 1000 * CLOCK_DRIFT) / 1000).toFixed(3)} s of clock slack), ` +
    `which is less than two keepAliveInterval (${needed} s): one lost answer would fence a healthy node. ` +
    'Raise keepAliveTimeout, or lower keepAliveInterval or serviceStopSeconds'
  );
}

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
