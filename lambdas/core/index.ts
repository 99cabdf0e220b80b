/**
 * The domain core of presence-ha: states, reasons, Table 2, validation schemas, the
 * group state machine and the sync agent's assignment. No AWS import anywhere below.
 */
export * from './catalogue/states';
export * from './catalogue/reasons';
export * from './catalogue/table2';
export * from './schemas/identifiers';
export * from './schemas/parameters';
export * from './schemas/heartbeat';
export type * from './types';
export { transition, type TransitionResult, type TransitionOutcome } from './machine/transition';
export { newGroup } from './machine/create';
export {
  heartbeatResponse,
  nextHeartbeatSeconds,
  nodeViews,
  type HeartbeatResponse,
  type NodeView,
} from './machine/view';
export { serviceOrder } from './machine/serviceOrder';
export { FAILED_STATES, Refusal } from './machine/admin';
export { MAX_MAINTENANCE_MS } from './machine/maintenance';
export { dryRun, type DryRun, type DryRunEvent } from './machine/dryRun';
export { checkDissolve, checkRehome, memberStates, type RehomePlan } from './machine/rehome';
export { OPERATION_TIMEOUT_SECONDS } from './machine/draft';
export { isFresh, isHealthy, expiredFault } from './machine/health';
export { needsAttention } from './machine/attention';
export { nextDueAt, nextTimerDueAt, pairSilentAt } from './machine/deadlines';
export { isSteadyHeartbeat, applySteadyHeartbeat, servicesReportedDown } from './machine/steady';
export { acknowledged, fences, HEARD_NOTHING } from './machine/acknowledgement';
export { GroupInvariantError } from './errors';
export { keyedRecord, keyedCopy, ownValue } from './keyed';
export { inFailoverState } from './machine/admission';
export * from './schemas/group';
export * from './schemas/hostname';
export * from './schemas/node';
export * from './schemas/user';
export * from './schemas/enterprise';
export { chooseHomeNode } from './assignment/chooseHomeNode';
export { planRebalance, type UserMove } from './assignment/planRebalance';
export { currentNode, type ServingGroup } from './assignment/currentNode';
export type { AssignmentGroup, UserCounts } from './assignment/nodes';
