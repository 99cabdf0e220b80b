import type { GroupState, Member, ServiceOrder } from '../types';

/**
 * The order a node's agent must obey for its critical services (docs/heartbeat-protocol.md): `stop` while
 * failed over by hand (IDLE, FAILING_OVER) or while a take-over waits for it to stop (AWAIT_STOP),
 * `start` while taking back or initializing
 * (recovering), `leave` otherwise.
 */
export function serviceOrder(group: GroupState, member: Member): ServiceOrder {
  if (!group.highAvailability) return 'leave';
  // A take-over waiting for this node to stop (AWAIT_STOP) tells it so, whatever its state.
  const op = group.operation;
  if (op && op.kind === 'TAKE_OVER' && op.phase === 'AWAIT_STOP' && op.from === member.nodeId) return 'stop';
  switch (member.state) {
    case 'IDLE':
    case 'FAILING_OVER':
      return 'stop';
    case 'TAKING_BACK':
    case 'INITIALIZING':
      return 'start';
    // Its users have left it for a fault; a take-over that was still hearing it told it
    // to stop. Its services come back (serving nobody) so that once the fault is repaired
    // it shows Failed Over, ready for fallback, as after a fence.
    case 'FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING':
      return group.failedOver === member.nodeId ? 'start' : 'leave';
    default:
      return 'leave';
  }
}
