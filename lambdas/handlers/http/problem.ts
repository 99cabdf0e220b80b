import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthorizedError,
  UnavailableError,
  ValidationError,
} from '../../app/errors';
import { reasonLabel, stateLabel, type NodeStatus } from '../../core';
import type { Problem } from '../../contract';
import { isUnreachable } from '../failures';

export type { Problem };

/** The states of a refusal with the manual's labels beside the codes, as the group view shows them. */
function labelled(states: NodeStatus[]): NonNullable<Problem['states']> {
  return states.map((s) => ({
    ...s,
    stateLabel: s.state ? stateLabel(s.state) : null,
    reasonLabel: s.reason ? reasonLabel(s.reason) : null,
  }));
}

const TYPE = 'https://presence-ha.dev/problems/';

/** A problem+json response. */
export function problemResponse(p: Problem): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: p.status,
    headers: { 'content-type': 'application/problem+json' },
    body: JSON.stringify(p),
  };
}

/** Body too large for the API (over 256 KiB). */
export class PayloadTooLargeError extends Error {
  override readonly name = 'PayloadTooLargeError';
}

/**
 * Maps an error to its problem. Domain errors carry their own words; middy's body
 * parser answers malformed JSON with 415/422, which the API answers with 400; anything
 * unknown is a 500 that says what to do, with no internals.
 */
export function toProblem(e: unknown): Problem {
  if (e instanceof ValidationError) {
    return {
      type: `${TYPE}validation`,
      title: 'Invalid request',
      status: 400,
      detail: e.message,
      errors: e.errors,
    };
  }
  if (e instanceof NotFoundError)
    return { type: `${TYPE}not-found`, title: 'Not found', status: 404, detail: e.message };
  if (e instanceof ConflictError) {
    return {
      type: `${TYPE}conflict`,
      title: 'Conflict with the current state',
      status: 409,
      detail: e.message,
      code: e.code,
      ...(e.states.length > 0 ? { states: labelled(e.states) } : {}),
    };
  }
  if (e instanceof UnauthorizedError) {
    return { type: `${TYPE}unauthorized`, title: 'Unauthorized', status: 401, detail: e.message };
  }
  if (e instanceof ForbiddenError)
    return { type: `${TYPE}forbidden`, title: 'Forbidden', status: 403, detail: e.message };
  if (e instanceof PayloadTooLargeError) {
    return { type: `${TYPE}too-large`, title: 'Payload too large', status: 413, detail: e.message };
  }
  if (e instanceof UnavailableError) {
    return { type: `${TYPE}unavailable`, title: 'Service unavailable', status: 503, detail: e.message };
  }
  if (isUnreachable(e)) {
    return {
      type: `${TYPE}unavailable`,
      title: 'Service unavailable',
      status: 503,
      detail:
        'Storage did not answer, so nothing was changed. Retry in a few seconds; GET /v1/health says when storage answers again.',
    };
  }
  const status = (e as { statusCode?: number } | null)?.statusCode;
  if (status === 415 || status === 422) {
    return {
      type: `${TYPE}validation`,
      title: 'Invalid request',
      status: 400,
      detail: 'The body is not valid JSON.',
      errors: [{ path: '', message: 'malformed JSON' }],
    };
  }
  return {
    type: `${TYPE}internal`,
    title: 'Internal error',
    status: 500,
    detail:
      'The control plane failed to handle this request; nothing is known to have changed. Retry, and if it persists check the function logs.',
  };
}
