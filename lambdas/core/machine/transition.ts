import { judgingParameters, type ClusterParameters } from '../schemas/parameters';
import type { Effect, GroupEvent, GroupState } from '../types';
import { Draft } from './draft';
import { applyHeartbeat } from './heartbeat';
import {
  adminFailover,
  adminFallback,
  adminRecover,
  disableHa,
  enableHa,
  Refusal,
  refusalEffect,
} from './admin';
import { workflowStepFailed, workflowStepSucceeded } from './workflow';
import { bootOrder, isStale } from './health';
import { staleBootDetail, type HeartbeatBody } from '../schemas/heartbeat';
import type { Member } from '../types';
import { evaluate } from './evaluate';
import { finalize } from './finalize';
import { endMaintenance, endMaintenanceIfDue, startMaintenance } from './maintenance';

/**
 * The first heartbeat of the node taking back after a fallback began is answered with its
 * `start` order; remember when, so that only a later heartbeat can prove it obeyed.
 */
function noteStartOrderDelivered(draft: Draft, nodeId: string): void {
  const op = draft.group.operation;
  if (
    op?.kind === 'FALL_BACK' &&
    op.phase === 'AWAIT_SERVICES' &&
    op.to === nodeId &&
    !op.startOrderDeliveredAt
  ) {
    op.startOrderDeliveredAt = draft.now;
  }
}

/**
 * A heartbeat from an older boot than the newest one heard (or from a reused boot
 * number) is refused before it can touch anything: taken as a restart, a packet delayed
 * from before a reboot would reset the node's reason, its peer's recovery or its fence.
 */
function refuseStaleBoot(member: Member, hb: HeartbeatBody): void {
  const order = bootOrder(member, hb);
  if (order !== 'older' && order !== 'reused') return;
  const newest = member.boot ?? 0;
  const what =
    order === 'older'
      ? `older than boot ${newest} already heard`
      : `bootId ${hb.bootId}, while boot ${newest} was already heard with bootId ${member.bootId ?? 'unknown'}`;
  throw new Refusal('STALE_BOOT', staleBootDetail(member.nodeId, hb.boot, what, newest));
}

/** What a transition did: `ignored` and `refused` leave the group as it was. */
export type TransitionOutcome = 'applied' | 'ignored' | 'refused';

export interface TransitionResult {
  group: GroupState;
  effects: Effect[];
  outcome: TransitionOutcome;
}

/**
 * The presence redundancy group state machine: group state + event + clock + cluster
 * parameters → new group state + effects. Pure and deterministic: the same inputs always
 * give the same result, and the input group is never mutated.
 *
 * @param group the group as stored
 * @param event what happened
 * @param now the time of the event, epoch milliseconds
 * @param params the cluster-wide parameters of the group's cluster
 */
export function transition(
  group: GroupState,
  event: GroupEvent,
  now: number,
  params: ClusterParameters,
): TransitionResult {
  // Silence is judged with the old timeout too while a change of the timers settles.
  const draft = new Draft(structuredClone(group), now, judgingParameters(params, now));
  const unchanged = (outcome: TransitionOutcome, effects: Effect[] = []): TransitionResult => ({
    group,
    effects,
    outcome,
  });
  try {
    switch (event.type) {
      case 'Heartbeat': {
        const member = draft.group.members.find((x) => x.nodeId === event.nodeId);
        if (!member) return unchanged('ignored');
        refuseStaleBoot(member, event.heartbeat);
        if (isStale(member, event.heartbeat)) return unchanged('ignored');
        applyHeartbeat(draft, event.nodeId, event.heartbeat);
        noteStartOrderDelivered(draft, event.nodeId);
        break;
      }
      case 'SweepTick':
      case 'AutomaticFallbackDue':
        // The re-check is the evaluation itself: a cancelled or moved timer simply is not due.
        break;
      case 'AdminFailover':
        adminFailover(draft, event.nodeId);
        break;
      case 'AdminFallback':
        adminFallback(draft, event.nodeId);
        break;
      case 'AdminRecover':
        adminRecover(draft);
        break;
      case 'EnableHa':
        enableHa(draft);
        break;
      case 'DisableHa':
        disableHa(draft);
        break;
      case 'StartMaintenance':
        startMaintenance(draft, event.reason, event.until, event.by);
        break;
      case 'EndMaintenance':
        if (!endMaintenance(draft, event.by)) return unchanged('ignored');
        break;
      case 'WorkflowStepSucceeded':
        if (!workflowStepSucceeded(draft, event.operationId)) return unchanged('ignored');
        break;
      case 'WorkflowStepFailed':
        if (!workflowStepFailed(draft, event.operationId, event.error)) return unchanged('ignored');
        break;
      default: {
        const never: never = event;
        throw new Error(`unknown event ${JSON.stringify(never)}`);
      }
    }
  } catch (error) {
    if (error instanceof Refusal) return unchanged('refused', [refusalEffect(draft, error)]);
    throw error;
  }
  // A window whose end has come ends before the clock rules, which then judge the group at once.
  endMaintenanceIfDue(draft);
  evaluate(draft);
  finalize(group, draft);
  return { group: draft.group, effects: draft.effects, outcome: 'applied' };
}
