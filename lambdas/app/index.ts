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
export * from './workflowTasks';
export * from './parameters';
export * from './users';
export { hashToken, newNodeToken, tokenOwner } from './tokens';
export { readiness } from './health';
