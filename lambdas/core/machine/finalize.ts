import type { DomainEvent, GroupState } from '../types';
import type { Draft } from './draft';
import { serviceOrder } from './serviceOrder';

/**
 * Derives the effects every transition shares from the difference between the group
 * before and after: the epoch, the service orders, users moved, state-change events and
 * history. Rules only change state; they cannot forget an event or a history line.
 */
export function finalize(before: GroupState, draft: Draft): void {
  const after = draft.group;
  const ordersBefore = new Map(before.members.map((m) => [m.nodeId, serviceOrder(before, m)]));
  const changedOrders = after.members.filter((m) => ordersBefore.get(m.nodeId) !== serviceOrder(after, m));
  const ownershipChanged = before.failedOver !== after.failedOver;
  // A new operation raises it too: the node its users leave must be seen to hear an
  // answer given after the decision (its `heard` epoch at least this one).
  const op = after.operation;
  // (or one sent back to wait for a node, its `decidedEpoch` cleared: decided anew).
  const decided = op !== null && (op.id !== before.operation?.id || op.decidedEpoch === null);
  if (ownershipChanged || changedOrders.length > 0 || decided) after.epoch = before.epoch + 1;
  if (op && decided) op.decidedEpoch = after.epoch;

  if (ownershipChanged) draft.publish(usersMoved(before.failedOver, after, draft.at));

  const stateEffects = [];
  for (const member of after.members) {
    const prev = before.members.find((x) => x.nodeId === member.nodeId);
    const from = prev?.state ?? null;
    const fromReason = prev?.reason ?? null;
    if (from === member.state && fromReason === member.reason) continue;
    stateEffects.push({
      type: 'Publish' as const,
      event: {
        detailType: 'NodeStateChanged' as const,
        group: after.name,
        nodeId: member.nodeId,
        from,
        to: member.state,
        reason: member.reason,
        epoch: after.epoch,
        at: draft.at,
      },
    });
    // Every state change goes through Draft.set, which records its cause.
    const cause = draft.causes.get(member.nodeId) ?? '';
    stateEffects.push({
      type: 'AppendHistory' as const,
      entry: { at: draft.at, nodeId: member.nodeId, from, to: member.state, reason: member.reason, cause },
    });
  }
  draft.effects.push(...stateEffects);
  for (const member of changedOrders) {
    draft.effects.push({
      type: 'OrderServices',
      nodeId: member.nodeId,
      order: serviceOrder(after, member),
      epoch: after.epoch,
    });
  }
}

/** Which users moved where when `failedOver` changed (`UsersMoved`, docs/events.md). */
function usersMoved(before: string | null, after: GroupState, at: string): DomainEvent {
  const peerOf = (id: string) => after.nodes.find((n) => n !== id) ?? id;
  const base = { detailType: 'UsersMoved' as const, group: after.name, at };
  if (before === null && after.failedOver !== null) {
    // A failover: the failed node's users go to its peer.
    return {
      ...base,
      fromNode: after.failedOver,
      toNode: peerOf(after.failedOver),
      homeNodes: [after.failedOver],
    };
  }
  if (before !== null && after.failedOver === null) {
    // A fallback or recovery: the users go home.
    return { ...base, fromNode: peerOf(before), toNode: before, homeNodes: [before] };
  }
  // Auto-recovery: the backup failed and its failed-over peer takes everyone.
  const failed = after.failedOver ?? peerOf(before ?? '');
  return { ...base, fromNode: failed, toNode: peerOf(failed), homeNodes: [...after.nodes] };
}
