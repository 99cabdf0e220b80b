import type { NodeStatus, RefusalCode } from '../core';

/** One problem with the input, located by its path (`nodes.1`, `keepAliveTimeout`). */
export interface FieldError {
  path: string;
  message: string;
}

/** The input is malformed or breaks a rule: nothing was written (HTTP 400). */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  constructor(
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
  }
}

const NOT_FOUND_HINT = {
  node: 'Check the name, or list the nodes with GET /v1/nodes.',
  group: 'Check the name, or find groups with GET /v1/groups?name=PREFIX.',
  user: 'Check the user id; users are added with POST /v1/users.',
  operation: 'It may have ended; the group view shows the running operation.',
} as const;

/** The resource named in the request does not exist (HTTP 404). */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
  constructor(
    readonly resource: 'node' | 'group' | 'user' | 'operation',
    readonly id: string,
  ) {
    super(`No ${resource} named ${id}. ${NOT_FOUND_HINT[resource]}`);
  }
}

/** The request conflicts with the current state (HTTP 409); `states` show why when a group refused it. */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
  constructor(
    message: string,
    readonly code:
      RefusalCode | 'ALREADY_EXISTS' | 'IN_USE' | 'CONCURRENT_UPDATE' | 'FAILOVER_IN_PROGRESS' | 'MODE',
    readonly states: NodeStatus[] = [],
  ) {
    super(message);
  }
}

/** Storage (or another service every request needs) cannot be reached (HTTP 503): retry later. */
export class UnavailableError extends Error {
  override readonly name = 'UnavailableError';
}

/** No valid credentials (HTTP 401). */
export class UnauthorizedError extends Error {
  override readonly name = 'UnauthorizedError';
}

/** Valid credentials without the right scope, or a node token used for another node (HTTP 403). */
export class ForbiddenError extends Error {
  override readonly name = 'ForbiddenError';
}

/**
 * A conditional write lost against a concurrent one (the stored `version` moved on).
 * Use cases re-read and decide again; it reaches a caller only as a ConflictError.
 */
export class VersionConflictError extends Error {
  override readonly name = 'VersionConflictError';
  constructor(readonly key: string) {
    super(`${key} was changed by another request while this one was deciding.`);
  }
}
