import { z } from 'zod';
import type { HeartbeatBody } from '../lambdas/core';
import { apiClient, ApiProblemError, ApiUnreachableError } from '../lambdas/contract/client';

/**
 * The control plane's answer to a heartbeat (docs/heartbeat-protocol.md), checked before the agent acts on
 * it: an order read from a garbled answer could stop a healthy node. Unknown fields are
 * allowed so that a newer control plane can add some; `keepAliveTimeoutSeconds` is read
 * when present (see docs/agent.md, "Self-fencing").
 */
export const HeartbeatAnswerSchema = z.object({
  group: z.string().nullable(),
  /** This creation of the group; sent back in the next heartbeat's `heard`. */
  incarnation: z.string().max(64).nullable().optional(),
  state: z.string().nullable(),
  reason: z.string().nullable(),
  epoch: z.number().int().min(0),
  serviceOrder: z.enum(['stop', 'start', 'leave']),
  nextHeartbeatSeconds: z.number().positive().max(3600),
  keepAliveTimeoutSeconds: z.number().positive().max(3600).optional(),
  /** When to begin the self-fence, after sending the last answered heartbeat (docs/safety.md). */
  fenceAfterSeconds: z.number().min(0).max(3600).optional(),
  /** The cluster's declared stop time of the critical services. */
  serviceStopSeconds: z.number().min(0).max(3600).optional(),
});
export type HeartbeatAnswer = z.infer<typeof HeartbeatAnswerSchema>;

export type HeartbeatOutcome =
  | { kind: 'answered'; answer: HeartbeatAnswer }
  /** The control plane answered but did not acknowledge (bad token, bad body, 5xx); `code` from a problem+json body. */
  | { kind: 'refused'; status: number; detail: string; code?: string }
  /** No answer at all: network error, timeout. */
  | { kind: 'unreachable'; detail: string };

/**
 * `POST {base}/v1/nodes/{nodeId}/heartbeat` through the typed client of the route table,
 * bounded by `timeoutMs`; never throws.
 */
export async function postHeartbeat(
  base: string,
  nodeId: string,
  token: string,
  body: HeartbeatBody,
  timeoutMs: number,
): Promise<HeartbeatOutcome> {
  const client = apiClient({ baseUrl: base, token, timeoutMs });
  let json: unknown;
  try {
    json = await client.call('POST /v1/nodes/{nodeId}/heartbeat', { path: { nodeId }, body });
  } catch (e) {
    if (e instanceof ApiUnreachableError) return { kind: 'unreachable', detail: e.why };
    if (e instanceof ApiProblemError) {
      const { detail, title, code } = e.problem;
      return { kind: 'refused', status: e.status, detail: detail || title, ...(code ? { code } : {}) };
    }
    // The body could not be read, or was not JSON: no acknowledgement either way.
    return {
      kind: 'refused',
      status: 200,
      detail: `the answer could not be read: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
  const parsed = HeartbeatAnswerSchema.safeParse(json);
  if (!parsed.success)
    return {
      kind: 'refused',
      status: 200,
      detail: `the answer is not a heartbeat answer (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`,
    };
  return { kind: 'answered', answer: parsed.data };
}
