import type { Draft } from './draft';
import { isFresh, isHealthy } from './health';
import type { ReasonCode } from '../catalogue/reasons';

/** The reason a failed user move leaves on both nodes. */
const MOVE_FAILED: Record<'TAKE_OVER' | 'FALL_BACK' | 'RECOVER', ReasonCode> = {
  TAKE_OVER: 'TAKE_OVER_USERS_FAILED',
  FALL_BACK: 'TAKE_BACK_USERS_FAILED',
  RECOVER: 'TAKE_BACK_USERS_FAILED',
};

/**
 * A workflow moved the users: ownership changes and both nodes settle. Returns false
 * when the step belongs to no running operation (a late or repeated delivery).
 */
export function workflowStepSucceeded(draft: Draft, operationId: string): boolean {
  const op = draft.group.operation;
  if (!op || op.id !== operationId || op.phase !== 'MOVE_USERS') return false;
  const from = draft.member(op.from);
  const to = draft.member(op.to);
  const { now, params } = draft;
  const keep = (r: ReasonCode | null): ReasonCode => (r === 'INITIALIZATION' ? 'INITIALIZATION' : op.reason);
  switch (op.kind) {
    case 'TAKE_OVER': {
      draft.group.failedOver = from.nodeId;
      const cause = `The users of ${from.nodeId} now run on ${to.nodeId}.`;
      draft.set(to, 'RUNNING_IN_BACKUP_MODE', keep(to.reason), cause);
      if (!isFresh(from, now, params))
        draft.set(
          from,
          'DOWN',
          from.state === 'DOWN' ? (from.reason ?? op.reason) : keep(from.reason),
          cause,
        );
      else if (op.reason === 'ON_ADMIN_REQUEST') draft.set(from, 'IDLE', keep(from.reason), cause);
      else if (isHealthy(from, now, params)) draft.set(from, 'FAILED_OVER', keep(from.reason), cause);
      else draft.set(from, 'FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING', keep(from.reason), cause);
      break;
    }
    case 'FALL_BACK': {
      draft.group.failedOver = null;
      const cause = `The users of ${to.nodeId} are back on ${to.nodeId}.`;
      draft.set(to, 'NORMAL', 'NORMAL', cause);
      draft.set(from, 'NORMAL', 'NORMAL', cause);
      break;
    }
    case 'RECOVER':
      // Nodes stay INITIALIZING; each becomes NORMAL once its heartbeat shows it healthy.
      draft.group.failedOver = null;
      break;
    default: {
      const never: never = op.kind;
      throw new Error(`unknown operation kind ${String(never)}`);
    }
  }
  draft.endOperation('succeeded');
  return true;
}

/** A workflow could not move the users: both nodes enter the failed state. */
export function workflowStepFailed(draft: Draft, operationId: string, error: string): boolean {
  const op = draft.group.operation;
  if (!op || op.id !== operationId) return false;
  draft.failBoth(MOVE_FAILED[op.kind], `Moving the users of ${op.from} to ${op.to} failed: ${error}`);
  draft.endOperation('failed');
  return true;
}
