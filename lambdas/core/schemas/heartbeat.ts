import * as z from 'zod';

export const ServiceStatusSchema = z.enum(['running', 'stopped']);
export type ServiceStatus = z.infer<typeof ServiceStatusSchema>;

/** The most services one heartbeat may report. */
export const MAX_REPORTED_SERVICES = 64;

/** Body of `POST /v1/nodes/{nodeId}/heartbeat` (docs/heartbeat-protocol.md). */
export const HeartbeatBodySchema = z
  .object({
    /** Changes whenever the node's SRM (agent) restarts. */
    bootId: z.string().min(1).max(128),
    /**
     * The agent's boot counter, kept on the node's disk and raised at every start before
     * the first heartbeat. It orders boots without trusting any clock: a heartbeat from a
     * lower boot than the newest one heard is refused (409 STALE_BOOT) and changes nothing.
     * Required, so that an agent that does not count its boots cannot be mistaken for one
     * that restarted.
     */
    boot: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    /** Grows within a bootId; an older one is acknowledged and ignored. */
    sequence: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    /**
     * At most 64 services: a cluster has 1–32 critical services, and the facts are kept
     * with the group, whose item must stay far below DynamoDB's 400 KB.
     */
    services: z
      .record(z.string().min(1).max(128), ServiceStatusSchema)
      .refine(
        (s) => Object.keys(s).length <= MAX_REPORTED_SERVICES,
        `must report at most ${MAX_REPORTED_SERVICES} services`,
      )
      .default({}),
    database: z.enum(['up', 'down']),
    replication: z.number().int().min(0).max(9).optional(),
    /** Sent by a node about to go down. */
    notice: z.enum(['reboot', 'shutdown']).optional(),
    /**
     * What the agent last heard (docs/heartbeat-protocol.md, "The acknowledgement"): the
     * `group`, `incarnation` and `epoch` of the last answer it received, or null before its
     * first answer since it started. The control plane moves users away from a node only
     * once the node has heard the decision, or has surely fenced. Absent (an agent older
     * than the acknowledgement, on a node that never sent it): the node gets the rules of
     * the release before; absent after the node once sent it (a downgraded agent): the
     * node counts as one that cannot be told and is never failed over automatically.
     */
    heard: z
      .object({
        group: z.string().max(128).nullable(),
        incarnation: z.string().max(64).nullable(),
        epoch: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
      })
      .strict()
      .nullable()
      .optional(),
  })
  .strict();
export type HeartbeatBody = z.infer<typeof HeartbeatBodySchema>;

/**
 * The answer's words when a heartbeat from an older boot is refused (409 STALE_BOOT):
 * what happened, that nothing changed, and what to do in the one case where it is not
 * harmless (an agent whose every heartbeat is refused lost its boot counter).
 *
 * @param what how the heartbeat's boot compares, e.g. "older than boot 7 already heard"
 * @param newest the newest boot heard from the node
 */
export function staleBootDetail(nodeId: string, boot: number, what: string, newest: number): string {
  return (
    `This heartbeat is from boot ${boot} of node ${nodeId}, ${what}; it was ignored and changed nothing. ` +
    'A heartbeat delayed from before a restart is harmless: the agent carries on. ' +
    'If an agent gets this answer to every heartbeat, its boot counter went backwards (its state file was lost, restored or copied): ' +
    `set "boot" in that file to ${newest + 1} or more and restart the agent.`
  );
}
