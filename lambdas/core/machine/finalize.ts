import type { DomainEvent, GroupState } from '../types';
import type { Draft } from './draft';
import { serviceOrder } from './serviceOrder';

/**
 * Derives the effects every transition shares from the difference between the group
 * before and after: the epoch, the service orders, users moved, state-change events and
 * history. Rules only change state; they cannot forget an event or a history line.
 */
export function finalize(before: GroupState, d: Draft): void {
  const after = d.group;
  const ordersBefore = new Map(before.members.map((m) => [m.nodeId, serviceOrder(before, m)]));
  const changedOrders = after.members.filter((m) => ordersBefore.get(m.nodeId) !== serviceOrder(after, m));
  const ownershipChanged = before.failedOver !== after.failedOver;
  if (ownershipChanged || changedOrders.length > 0) after.epoch = before.epoch + 1;

  if (ownershipChanged) d.publish(usersMoved(before.failedOver, after, d.at));

  const stateEffects = [];
  for (const m of after.members) {
    const prev = before.members.find((x) => x.nodeId === m.nodeId);
    const from = prev?.state ?? null;
    const fromReason = prev?.reason ?? null;
    if (from === m.state && fromReason === m.reason) continue;
    stateEffects.push({
      type: 'Publish' as const,
      event: {
        detailType: 'NodeStateChanged' as const,
        group: after.name,
        nodeId: m.nodeId,
        from,
        to: m.state,
        reason: m.reason,
        epoch: after.epoch,
        at: d.at,
      },
    });
    // Every state change goes through Draft.set, which records its cause.
    const cause = d.causes.get(m.nodeId) ?? '';
    stateEffects.push({
      type: 'AppendHistory' as const,
      entry: { at: d.at, nodeId: m.nodeId, from, to: m.state, reason: m.reason, cause },
    });
  }
  d.effects.push(...stateEffects);
  for (const m of changedOrders) {
    d.effects.push({
      type: 'OrderServices',
      nodeId: m.nodeId,
      order: serviceOrder(after, m),
      epoch: after.epoch,
    });
  }
}

/** Which users moved where when `failedOver` changed (SPEC §6 `UsersMoved`). */
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
