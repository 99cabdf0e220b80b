import { dryRun, type DryRunEvent, type Effect, type GroupEvent, type NodeStatus } from '../core';
import { applyGroupEvent } from './applyGroupEvent';
import { ConflictError } from './errors';
import { getGroup } from './groups';
import type { Ports } from './ports';

/** What an accepted admin action answers (202): the operation it started. */
export interface OperationAccepted {
  operation: { id: string; kind: string; fromNode: string; toNode: string } | null;
  group: string;
  epoch: number;
}

/** What a dry run answers (200): what the action would do, with nothing changed. */
export interface DryRunAnswer {
  dryRun: true;
  kind: string;
  /** Each node right after the action would be accepted. */
  nodes: NodeStatus[];
  /** Each node once the workflow would have moved the users. */
  end: NodeStatus[];
  /** Users whose serving node would change. */
  usersToMove: number;
}

async function act(ports: Ports, name: string, event: GroupEvent, by?: string): Promise<OperationAccepted> {
  const { record, result } = await applyGroupEvent(ports, name, event, undefined, by);
  const start = result.effects.find(
    (e): e is Extract<Effect, { type: 'StartWorkflow' }> =>
      e.type === 'StartWorkflow' && e.workflow !== 'AUTO_FALLBACK',
  );
  ports.log.info('Admin action accepted', {
    group: name,
    action: event.type,
    operation: start?.operationId,
    by,
  });
  return {
    operation: start
      ? { id: start.operationId, kind: start.workflow, fromNode: start.fromNode, toNode: start.toNode }
      : null,
    group: name,
    epoch: record.group.epoch,
  };
}

/**
 * Decides the action on the group as stored, writes nothing and starts nothing: the
 * same refusal (409) as the real action, or what it would do and how many users move.
 */
async function rehearse(ports: Ports, name: string, event: DryRunEvent): Promise<DryRunAnswer> {
  const record = await getGroup(ports, name);
  const params = await ports.settings.clusterParameters(record.clusterId);
  const result = dryRun(record.group, event, ports.clock.now(), params);
  if (result.outcome === 'refused') {
    throw new ConflictError(result.refusal.message, result.refusal.code, result.refusal.states);
  }
  const counts = await Promise.all(
    result.homeNodesMoved.map(async (id) => (await ports.nodes.get(id))?.userCount ?? 0),
  );
  return {
    dryRun: true,
    kind: result.kind,
    nodes: result.nodes,
    end: result.end,
    usersToMove: counts.reduce((a, b) => a + b, 0),
  };
}

/** Manual failover of `nodeId` to its peer (both must be Normal, else 409 with the states). */
export function failover(ports: Ports, name: string, nodeId: string): Promise<OperationAccepted>;
export function failover(
  ports: Ports,
  name: string,
  nodeId: string,
  dryRun: boolean | undefined,
  by?: string,
): Promise<OperationAccepted | DryRunAnswer>;
export function failover(
  ports: Ports,
  name: string,
  nodeId: string,
  dryRun?: boolean,
  by?: string,
): Promise<OperationAccepted | DryRunAnswer> {
  const event = { type: 'AdminFailover', nodeId } as const;
  return dryRun ? rehearse(ports, name, event) : act(ports, name, event, by);
}

/** Manual fallback to `nodeId` from its peer running in backup mode. */
export function fallback(ports: Ports, name: string, nodeId: string): Promise<OperationAccepted>;
export function fallback(
  ports: Ports,
  name: string,
  nodeId: string,
  dryRun: boolean | undefined,
  by?: string,
): Promise<OperationAccepted | DryRunAnswer>;
export function fallback(
  ports: Ports,
  name: string,
  nodeId: string,
  dryRun?: boolean,
  by?: string,
): Promise<OperationAccepted | DryRunAnswer> {
  const event = { type: 'AdminFallback', nodeId } as const;
  return dryRun ? rehearse(ports, name, event) : act(ports, name, event, by);
}

/** Manual recovery of a group whose nodes are both failed. */
export function recover(ports: Ports, name: string): Promise<OperationAccepted>;
export function recover(
  ports: Ports,
  name: string,
  dryRun: boolean | undefined,
  by?: string,
): Promise<OperationAccepted | DryRunAnswer>;
export function recover(
  ports: Ports,
  name: string,
  dryRun?: boolean,
  by?: string,
): Promise<OperationAccepted | DryRunAnswer> {
  const event = { type: 'AdminRecover' } as const;
  return dryRun ? rehearse(ports, name, event) : act(ports, name, event, by);
}
