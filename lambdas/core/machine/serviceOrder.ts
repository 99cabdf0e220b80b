import type { GroupState, Member, ServiceOrder } from '../types';

/**
 * The order a node's agent must obey for its critical services (docs/heartbeat-protocol.md): `stop` while
 * failed over by hand (IDLE, FAILING_OVER), `start` while taking back or initializing
 * (recovering), `leave` otherwise.
 */
export function serviceOrder(group: GroupState, member: Member): ServiceOrder {
  if (!group.highAvailability) return 'leave';
  switch (member.state) {
    case 'IDLE':
    case 'FAILING_OVER':
      return 'stop';
    case 'TAKING_BACK':
    case 'INITIALIZING':
      return 'start';
    default:
      return 'leave';
  }
}
