import {
  checkDissolve,
  inFailoverState,
  memberStates,
  Refusal,
  keyedRecord,
  newGroup,
  nodeViews,
  transition,
  type ClusterParameters,
  type CreateGroupBody,
  type GroupState,
  type HistoryEntry,
  type NodeView as CoreNodeView,
  type Operation,
  type UpdateGroupBody,
} from '../core';
import { newIncarnation } from './incarnation';
import { applyGroupEvent, groupIndex } from './applyGroupEvent';
import { adminActionRecord, announce, editGroupRecorded, inTransaction, linesForMembers } from './audit';
import { ConflictError, NotFoundError, ValidationError, type FieldError } from './errors';
import { savedOrRetry } from './groupSave';
import { openCursor, sealCursor, type CursorScope } from './paging';
import type { Ports } from './ports';
import type { GroupRecord, NodeRecord } from './records';

/** A group as the API shows it (`GET /v1/groups/{name}`). */
export interface GroupView {
  name: string;
  description: string;
  clusterId: string;
  highAvailability: boolean;
  nodes: CoreNodeView[];
  /** The node whose users its peer serves, if any. */
  failedOver: string | null;
  epoch: number;
  version: number;
  operation: {
    id: string;
    kind: Operation['kind'];
    reason: Operation['reason'];
    fromNode: string;
    toNode: string;
    phase: Operation['phase'];
    startedAt: string;
  } | null;
  /** How the last operation ended: what `prg failover --wait` and scripts look at. */
  lastOperation: {
    id: string;
    kind: Operation['kind'];
    reason: Operation['reason'];
    fromNode: string;
    toNode: string;
    outcome: 'succeeded' | 'failed';
    endedAt: string;
  } | null;
  automaticFallbackAt: string | null;
  /** The maintenance window, while one is on: no automatic failover or fallback until `until`. */
  maintenance: { reason: string; until: string; by: string } | null;
  createdAt: string;
  updatedAt: string;
}

export function groupView(record: GroupRecord): GroupView {
  const group = record.group;
  const op = group.operation;
  return {
    name: group.name,
    description: record.description,
    clusterId: record.clusterId,
    highAvailability: group.highAvailability,
    nodes: nodeViews(group),
    failedOver: group.failedOver,
    epoch: group.epoch,
    version: record.version,
    operation: op
      ? {
          id: op.id,
          kind: op.kind,
          reason: op.reason,
          fromNode: op.from,
          toNode: op.to,
          phase: op.phase,
          startedAt: new Date(op.startedAt).toISOString(),
        }
      : null,
    lastOperation: group.lastOperation
      ? {
          id: group.lastOperation.id,
          kind: group.lastOperation.kind,
          reason: group.lastOperation.reason,
          fromNode: group.lastOperation.from,
          toNode: group.lastOperation.to,
          outcome: group.lastOperation.outcome,
          endedAt: new Date(group.lastOperation.endedAt).toISOString(),
        }
      : null,
    automaticFallbackAt: group.autoFallback ? new Date(group.autoFallback.dueAt).toISOString() : null,
    maintenance: group.maintenance
      ? {
          reason: group.maintenance.reason,
          until: new Date(group.maintenance.until).toISOString(),
          by: group.maintenance.by,
        }
      : null,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

/** Checks a group's membership rules (docs/data-model.md) against the registered nodes; names the offending field. */
function checkMembers(body: CreateGroupBody, nodes: (NodeRecord | null)[]): NodeRecord[] {
  const errors: FieldError[] = [];
  nodes.forEach((n, i) => {
    if (!n) errors.push({ path: `nodes.${i}`, message: `node ${body.nodes[i]} is not registered` });
  });
  const found = nodes.filter((n): n is NodeRecord => n !== null);
  const [first, second] = found;
  if (first && second) {
    const same = (field: 'clusterId' | 'publisherId' | 'softwareVersion', what: string) => {
      if (first[field] !== second[field]) {
        errors.push({
          path: 'nodes.1',
          message: `${second.nodeId} has ${what} ${second[field]} but ${first.nodeId} has ${first[field]}; both nodes of a group need the same ${what}`,
        });
      }
    };
    same('clusterId', 'cluster');
    same('publisherId', 'database publisher');
    same('softwareVersion', 'software version');
  }
  if (errors.length > 0) throw new ValidationError('The group cannot be made of these nodes.', errors);
  const taken = found.find((n) => n.group !== null);
  if (taken) {
    throw new ConflictError(
      `Node ${taken.nodeId} already belongs to group ${taken.group}; a node belongs to at most one group.`,
      'IN_USE',
    );
  }
  return found;
}

/**
 * Seeds a new group's members with what their nodes last reported, replayed at the time
 * they reported it, so that enabling HA judges them at once (the manual wants the critical
 * services up before high availability is switched on).
 */
function seedFacts(group: GroupState, nodes: NodeRecord[], params: ClusterParameters): GroupState {
  let seeded = group;
  for (const node of nodes) {
    if (!node.lastHeartbeat) continue;
    const replayed = { type: 'Heartbeat' as const, nodeId: node.nodeId, heartbeat: node.lastHeartbeat.body };
    // With HA off the transition only records the facts, as of when they were reported.
    seeded = transition(seeded, replayed, node.lastHeartbeat.at, params).group;
  }
  return seeded;
}

/** Creates a group; with `highAvailability`, HA is then enabled through the state machine. */
export async function createGroup(ports: Ports, body: CreateGroupBody, by?: string): Promise<GroupView> {
  const nodes = checkMembers(body, await Promise.all(body.nodes.map((id) => ports.nodes.get(id))));
  const clusterId = nodes[0]?.clusterId ?? '';
  const params = await ports.settings.clusterParameters(clusterId);
  const now = new Date(ports.clock.now()).toISOString();
  const record: GroupRecord = {
    // A new incarnation: ids of the re-created group's operations never repeat the old ones'.
    group: seedFacts(newGroup(body.name, body.nodes, newIncarnation(ports.clock.now())), nodes, params),
    clusterId,
    description: body.description ?? '',
    version: 1,
    tokens: keyedRecord(nodes.map((n) => [n.nodeId, n.tokenHash])),
    createdAt: now,
    updatedAt: now,
  };
  await ports.groups.create(record, groupIndex(record, params));
  ports.log.info('Group created', { group: body.name, nodes: body.nodes, by });
  if (body.highAvailability)
    return groupView((await applyGroupEvent(ports, body.name, { type: 'EnableHa' }, undefined, by)).record);
  return groupView(record);
}

export async function getGroup(ports: Ports, name: string): Promise<GroupRecord> {
  const record = await ports.groups.get(name);
  if (!record) throw new NotFoundError('group', name);
  return record;
}

/** One page of the groups whose name starts with `query.name` (every group when empty). */
export async function findGroups(
  ports: Ports,
  query: { name?: string | undefined; limit: number; cursor?: string | undefined },
): Promise<{ groups: GroupView[]; next: string | null }> {
  const prefix = query.name ?? '';
  const scope: CursorScope = { list: 'groups', filters: { name: prefix } };
  const start = await openCursor(ports.cursors, scope, query.cursor);
  const page = await ports.groups.page(prefix, { limit: query.limit, start });
  return { groups: page.items.map(groupView), next: await sealCursor(ports.cursors, scope, page.last) };
}

/**
 * Turns HA on or off (a decision of the state machine, recorded with its node-state
 * events) and then changes the description (a version step of its own, recorded as an
 * `AdminAction`). Each write is stored with its record; a request that dies between the
 * two has switched HA and left the description as it was, and may simply be sent again.
 * A refused HA switch (409) changes neither. An unchanged description writes nothing.
 */
export async function updateGroup(
  ports: Ports,
  name: string,
  body: UpdateGroupBody,
  by?: string,
): Promise<GroupView> {
  let record = await getGroup(ports, name);
  if (body.highAvailability !== undefined) {
    const event = body.highAvailability ? ({ type: 'EnableHa' } as const) : ({ type: 'DisableHa' } as const);
    record = (await applyGroupEvent(ports, name, event, undefined, by)).record;
  }
  const description = body.description;
  if (description !== undefined) {
    record = await editGroupRecorded(
      ports,
      name,
      (r) => (r.description === description ? null : { ...r, description }),
      (r) => ({
        action: 'GroupDescriptionChanged',
        group: name,
        clusterId: r.clusterId,
        changed: ['description'],
        summary: `The description of group ${name} was changed by ${by ?? 'an unknown caller'}.`,
        by,
        history: linesForMembers(r, `Description changed by ${by ?? 'an unknown caller'}; no state changed.`),
      }),
    );
  }
  return groupView(record);
}

/**
 * Deletes a group and frees its nodes. Refused while a workflow runs, and while a node is
 * failed over and still home to users: without the group they would go back to it.
 */
export async function deleteGroup(ports: Ports, name: string, by?: string): Promise<void> {
  // Heartbeats keep deciding while an operator deletes: a newer version is judged again.
  for (let attempt = 1; ; attempt++) {
    const record = await getGroup(ports, name);
    const removed = await savedOrRetry(name, attempt, () => removeGroup(ports, record, by));
    if (removed) return;
  }
}

/** Deletes the group as read, if it may be dissolved, with its audit record. */
async function removeGroup(ports: Ports, record: GroupRecord, by?: string): Promise<void> {
  const name = record.group.name;
  const away = record.group.highAvailability ? record.group.failedOver : null;
  const usersAway = away === null ? 0 : ((await ports.nodes.get(away))?.userCount ?? 0);
  try {
    checkDissolve(record.group, usersAway);
  } catch (error) {
    if (error instanceof Refusal)
      throw new ConflictError(error.message, error.code, memberStates(record.group));
    throw error;
  }
  const caller = by ?? 'an unknown caller';
  // Kept in the group's history (read again if a group of this name is created) and on the bus.
  const audit = adminActionRecord(ports.clock.now(), {
    action: 'GroupDeleted',
    group: name,
    clusterId: record.clusterId,
    changed: [],
    summary: `Group ${name} (nodes ${record.group.nodes.join(', ')}) was deleted by ${caller}; its nodes are free.`,
    by,
    history: linesForMembers(
      record,
      `Group deleted by ${caller}; ${record.group.nodes.join(' and ')} belong to no group now.`,
    ),
  });
  await ports.groups.remove(record, inTransaction(ports, audit));
  ports.log.info('Group deleted', { group: name, by });
  await announce(ports, audit);
}

/** One page of a group's state changes, newest first. */
export async function groupHistory(
  ports: Ports,
  name: string,
  query: { limit: number; cursor?: string | undefined },
): Promise<{ history: HistoryEntry[]; next: string | null }> {
  const scope: CursorScope = { list: 'history', filters: { group: name } };
  const start = await openCursor(ports.cursors, scope, query.cursor);
  await getGroup(ports, name);
  const page = await ports.history.page(name, { limit: query.limit, start });
  return { history: page.items, next: await sealCursor(ports.cursors, scope, page.last) };
}

/** Whether any group of the cluster has a node failed over (no users may be added then). */
export async function clusterInFailover(ports: Ports, clusterId: string): Promise<GroupRecord | null> {
  const groups = await ports.groups.listByCluster(clusterId);
  return groups.find((g) => inFailoverState(g.group)) ?? null;
}
