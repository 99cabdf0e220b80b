import { z } from 'zod';
import type { HeartbeatBody } from '../lambdas/core';

/**
 * The control plane's answer to a heartbeat (docs/heartbeat-protocol.md), checked before the agent acts on
 * it: an order read from a garbled answer could stop a healthy node. Unknown fields are
 * allowed so that a newer control plane can add some; `keepAliveTimeoutSeconds` is read
 * when present (see docs/agent.md, "Self-fencing").
 */
export const HeartbeatAnswerSchema = z.object({
  group: z.string().nullable(),
  state: z.string().nullable(),
  reason: z.string().nullable(),
  epoch: z.number().int().min(0),
  serviceOrder: z.enum(['stop', 'start', 'leave']),
  nextHeartbeatSeconds: z.number().positive().max(3600),
  keepAliveTimeoutSeconds: z.number().positive().max(3600).optional(),
});
export type HeartbeatAnswer = z.infer<typeof HeartbeatAnswerSchema>;

export type HeartbeatOutcome =
  | { kind: 'answered'; answer: HeartbeatAnswer }
  /** The control plane answered but did not acknowledge (bad token, bad body, 5xx); `code` from a problem+json body. */
  | { kind: 'refused'; status: number; detail: string; code?: string }
  /** No answer at all: network error, timeout. */
  | { kind: 'unreachable'; detail: string };

/** `POST {base}/v1/nodes/{nodeId}/heartbeat`, bounded by `timeoutMs`; never throws. */
export async function postHeartbeat(
  base: string,
  nodeId: string,
  token: string,
  body: HeartbeatBody,
  timeoutMs: number,
): Promise<HeartbeatOutcome> {
  let res: Response;
  try {
    res = await fetch(`${base}/v1/nodes/${encodeURIComponent(nodeId)}/heartbeat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    return { kind: 'unreachable', detail: describeFetchError(e, timeoutMs) };
  }
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    return { kind: 'unreachable', detail: describeFetchError(e, timeoutMs) };
  }
  if (res.status !== 200) {
    const code = problemCode(text);
    return { kind: 'refused', status: res.status, detail: problemDetail(text), ...(code ? { code } : {}) };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'refused', status: res.status, detail: `the answer is not JSON: ${text.slice(0, 200)}` };
  }
  const parsed = HeartbeatAnswerSchema.safeParse(json);
  if (!parsed.success)
    return {
      kind: 'refused',
      status: res.status,
      detail: `the answer is not a heartbeat answer (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`,
    };
  return { kind: 'answered', answer: parsed.data };
}

/** The `code` of a problem+json body (`STALE_BOOT`…), if it has one. */
function problemCode(text: string): string | undefined {
  try {
    const p = JSON.parse(text) as { code?: unknown };
    return typeof p.code === 'string' ? p.code : undefined;
  } catch {
    return undefined;
  }
}

/** The `detail` of a problem+json body, or the start of whatever came back. */
function problemDetail(text: string): string {
  try {
    const p = JSON.parse(text) as { detail?: unknown; title?: unknown };
    if (typeof p.detail === 'string') return p.detail;
    if (typeof p.title === 'string') return p.title;
  } catch {
    // Not JSON: a proxy's HTML page, say.
  }
  return text.slice(0, 200) || '(empty body)';
}

function describeFetchError(e: unknown, timeoutMs: number): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError')
    return `no answer within ${timeoutMs / 1000} s`;
  return err.cause?.code ?? err.cause?.message ?? err.message ?? String(e);
}
