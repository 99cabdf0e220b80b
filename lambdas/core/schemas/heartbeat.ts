import { z } from 'zod';

export const ServiceStatusSchema = z.enum(['running', 'stopped']);
export type ServiceStatus = z.infer<typeof ServiceStatusSchema>;

/** Body of `POST /v1/nodes/{nodeId}/heartbeat` (SPEC §5). */
export const HeartbeatBodySchema = z
  .object({
    /** Changes whenever the node's SRM (agent) restarts. */
    bootId: z.string().min(1).max(128),
    /** Grows within a bootId; an older one is acknowledged and ignored. */
    sequence: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    services: z.record(z.string().min(1).max(128), ServiceStatusSchema).default({}),
    database: z.enum(['up', 'down']),
    replication: z.number().int().min(0).max(9).optional(),
    /** Sent by a node about to go down. */
    notice: z.enum(['reboot', 'shutdown']).optional(),
  })
  .strict();
export type HeartbeatBody = z.infer<typeof HeartbeatBodySchema>;
