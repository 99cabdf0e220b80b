import type { Effect, GroupEvent } from '../core';
import { applyGroupEvent } from './applyGroupEvent';
import type { Ports } from './ports';

/** What an accepted admin action answers (202): the operation it started. */
export interface OperationAccepted {
  operation: { id: string; kind: string; fromNode: string; toNode: string } | null;
  group: string;
  epoch: number;
}

async function act(ports: Ports, name: string, event: GroupEvent): Promise<OperationAccepted> {
  const { record, result } = await applyGroupEvent(ports, name, event);
  const start = result.effects.find(
    (e): e is Extract<Effect, { type: 'StartWorkflow' }> =>
      e.type === 'StartWorkflow' && e.workflow !== 'AUTO_FALLBACK',
  );
  ports.log.info('Admin action accepted', { group: name, action: event.type, operation: start?.operationId });
  return {
    operation: start
      ? { id: start.operationId, kind: start.workflow, fromNode: start.fromNode, toNode: start.toNode }
      : null,
    group: name,
    epoch: record.group.epoch,
  };
}

/** Manual failover of `nodeId` to its peer (both must be Normal, else 409 with the states). */
export function failover(ports: Ports, name: string, nodeId: string): Promise<OperationAccepted> {
  return act(ports, name, { type: 'AdminFailover', nodeId });
}

/** Manual fallback to `nodeId` from its peer running in backup mode. */
export function fallback(ports: Ports, name: string, nodeId: string): Promise<OperationAccepted> {
  return act(ports, name, { type: 'AdminFallback', nodeId });
}

/** Manual recovery of a group whose nodes are both failed. */
export function recover(ports: Ports, name: string): Promise<OperationAccepted> {
  return act(ports, name, { type: 'AdminRecover' });
}
