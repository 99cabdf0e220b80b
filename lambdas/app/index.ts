/** The use cases of presence-ha over their ports; the public face of `lambdas/app`. */
export * from './errors';
export type * from './ports';
export type * from './records';
export { applyGroupEvent, groupIndex } from './applyGroupEvent';
export * from './nodes';
export * from './groups';
export * from './actions';
export { heartbeat, HeartbeatCache } from './heartbeat';
export { sweep, type SweepReport } from './sweep';
export { groupCensus, type GroupCensus } from './census';
export {
  relayOutbox,
  deliverOutbox,
  outboxEventId,
  OUTBOX_GRACE_MS,
  type OutboxRecord,
  type OutboxStore,
} from './outbox';
export * from './workflowTasks';
export * from './parameters';
export * from './users';
export * from './rehome';
export * from './maintenance';
export * from './paging';
export {
  hashToken,
  issueNodeToken,
  verifyNodeToken,
  StaticNodeTokenKeys,
  checkKeyLength,
  keyRingFromSecret,
  NODE_TOKEN_SECRET_ENV,
  MAX_NODE_TOKEN_CHARS,
  LEGACY_NODE_TOKENS_ENV,
  DEFAULT_LEGACY_NODE_TOKENS_UNTIL,
  legacyWindowEnd,
  type NodeTokenKeyRing,
  type VerifiedNodeToken,
} from './tokens';
export { authenticateNode } from './nodeAuth';
export {
  checkFrontOrigin,
  frontOriginSecretsFrom,
  FRONT_ORIGIN_HEADER,
  FRONT_ORIGIN_SECRET_ENV,
  type FrontOriginSecrets,
} from './frontOrigin';
export { readiness } from './health';
