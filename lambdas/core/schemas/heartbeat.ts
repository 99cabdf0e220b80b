import { z } from 'zod';

export const ServiceStatusSchema = z.enum(['running', 'stopped']);
export type ServiceStatus = z.infer<typeof ServiceStatusSchema>;

/** The most services one heartbeat may report. */
export const MAX_REPORTED_SERVICES = 64;

/** Body of `POST /v1/nodes/{nodeId}/heartbeat` (docs/heartbeat-protocol.md). */
export const HeartbeatBodySchema = z
  .object({
    /** Changes whenever the node's SRM (agent) restarts. */
    bootId: z.string().min(1).max(128),
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
  })
  .strict();
export type HeartbeatBody = z.infer<typeof HeartbeatBodySchema>;
