/**
 * Which failures of AWS (or DynamoDB Local) are worth another try: one classification
 * for the API's 503 answers and the workflows' retries, so the two cannot disagree.
 */

/** System error codes of a connection that could not be made or was dropped. */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
]);

/** The service did not answer in time, or said it cannot answer now. */
const UNAVAILABLE_NAMES: ReadonlySet<string> = new Set([
  'TimeoutError',
  'RequestTimeout',
  'ServiceUnavailable',
  'ServiceUnavailableException',
]);

/** The service answered, but is busy or lost a race: the same request may go through later. */
const BUSY_NAMES: ReadonlySet<string> = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'TransactionConflictException',
]);

/** The service could not be reached or did not answer: nothing is known to have changed. */
export function isUnreachable(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const code = (e as Error & { code?: string }).code;
  return UNAVAILABLE_NAMES.has(e.name) || (code !== undefined && NETWORK_CODES.has(code));
}

/** The service answered that it is busy (throttled, a transaction conflict, an internal error). */
export function isBusy(e: unknown): boolean {
  return e instanceof Error && BUSY_NAMES.has(e.name);
}
