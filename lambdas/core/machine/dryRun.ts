import type { ClusterParameters } from '../schemas/parameters';
import type { NodeId } from '../schemas/identifiers';
import type { Effect, GroupEvent, GroupState, NodeStatus, WorkflowKind } from '../types';
import { transition } from './transition';

/** The admin actions a dry run can show. */
export type DryRunEvent = Extract<GroupEvent, { type: 'AdminFailover' | 'AdminFallback' | 'AdminRecover' }>;

/** What an admin action would do, decided on the group as it stands and written nowhere. */
export type DryRun =
  | { outcome: 'refused'; refusal: Extract<Effect, { type: 'Refuse' }> }
  | {
      outcome: 'accepted';
      kind: WorkflowKind;
      /** Each node's state and reason right after the action is accepted. */
      nodes: NodeStatus[];
      /** Each node's state and reason once the workflow has moved the users. */
      end: NodeStatus[];
      /** The nodes whose users change serving node by the end (their homes). */
      homeNodesMoved: NodeId[];
    };

const statuses = (group: GroupState): NodeStatus[] =>
  group.members.map((m) => ({ nodeId: m.nodeId, state: m.state, reason: m.reason }));

const KIND: Record<DryRunEvent['type'], WorkflowKind> = {
  AdminFailover: 'TAKE_OVER',
  AdminFallback: 'FALL_BACK',
  AdminRecover: 'RECOVER',
};

/**
 * A dry run of a manual failover, fallback or recovery: the same decision as the real
 * action (so a refusal is the same refusal), then the end the workflow would reach if it
 * moves the users with the nodes as they last reported. Pure: the transition never
 * mutates its input, and nothing here is stored or started.
 */
export function dryRun(
  group: GroupState,
  event: DryRunEvent,
  now: number,
  params: ClusterParameters,
): DryRun {
  const accepted = transition(group, event, now, params);
  const refusal = accepted.effects.find((e): e is Extract<Effect, { type: 'Refuse' }> => e.type === 'Refuse');
  if (refusal) return { outcome: 'refused', refusal };
  const nodes = statuses(accepted.group);
  const op = accepted.group.operation;
  if (!op) return { outcome: 'accepted', kind: KIND[event.type], nodes, end: nodes, homeNodesMoved: [] };
  // Whatever the operation waits for first (a node to stop or start its services), the
  // end shown is the one its workflow reaches when it moves the users.
  // A fallback moves the users only once the node taking back reports its services
  // running: the end assumes it does, whatever it reported last.
  const members = accepted.group.members.map((m) =>
    op.kind === 'FALL_BACK' && m.nodeId === op.to
      ? { ...m, servicesDownSince: {}, databaseDownSince: null }
      : m,
  );
  const ready: GroupState = { ...accepted.group, members, operation: { ...op, phase: 'MOVE_USERS' } };
  const done = transition(
    ready,
    { type: 'WorkflowStepSucceeded', operationId: op.id, step: 'MOVE_USERS' },
    now,
    params,
  );
  const homeNodesMoved = done.effects.flatMap((e) =>
    e.type === 'Publish' && e.event.detailType === 'UsersMoved' ? e.event.homeNodes : [],
  );
  return { outcome: 'accepted', kind: op.kind, nodes, end: statuses(done.group), homeNodesMoved };
}
