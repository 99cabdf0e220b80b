import { randomUUID } from 'node:crypto';
import { checkRehome, memberStates, Refusal, type HistoryEntry } from '../core';
import { groupIndex } from './applyGroupEvent';
import { ConflictError, NotFoundError } from './errors';
import { savedOrRetry } from './groupSave';
import { deliverOutbox, type OutboxRecord, type RehomeEvent } from './outbox';
import type { Ports } from './ports';
import type { GroupRecord } from './records';

/** What `POST /v1/groups/{name}/rehome` answers (202): the workflow that moves the homes. */
export interface RehomeAccepted {
  group: string;
  operationId: string;
  fromNode: string;
  toNode: string;
  /** Users whose home was `fromNode` when the workflow started. */
  users: number;
}

/** Users moved per workflow task: well inside the task function's 30 s even at one write each. */
export const REHOME_PAGE = 200;
/** Moves run side by side within a page; each is its own small transaction. */
const PARALLEL = 10;

function refusedAsConflict(record: GroupRecord, error: unknown): never {
  if (error instanceof Refusal)
    throw new ConflictError(error.message, error.code, memberStates(record.group));
  throw error;
}

/**
 * Re-homes the users of a failed-over node to the peer serving them, for a node that will
 * not come back: a workflow moves them a page at a time (each user once), after which the
 * node is home to nobody, so the group can be deleted and the node replaced. Nobody's
 * service changes: the peer already serves these users.
 */
export async function rehome(
  ports: Ports,
  name: string,
  nodeId: string,
  by?: string,
): Promise<RehomeAccepted> {
  const record = await ports.groups.get(name);
  if (!record) throw new NotFoundError('group', name);
  let plan;
  try {
    plan = checkRehome(record.group, nodeId);
  } catch (error) {
    refusedAsConflict(record, error);
  }
  const users = (await ports.nodes.get(plan.from))?.userCount ?? 0;
  // Unique for ever: Step Functions keeps execution names for 90 days.
  const operationId = `rehome-${ports.clock.now().toString(36)}-${randomUUID().slice(0, 8)}`;
  const caller = by ?? 'unknown caller';
  // Recorded before the workflow starts: no re-home runs without its line in the history
  // and its event (if the start then fails, the caller gets the error and may ask again).
  await recordRehome(
    ports,
    name,
    (member, at) => ({
      at,
      nodeId: member.nodeId,
      from: member.state,
      to: member.state,
      reason: member.reason,
      cause: `Re-home ${operationId} requested by ${caller}: the ${users} user(s) whose home is ${plan.from} get ${plan.to} as home; nobody's service changes.`,
      by: caller,
    }),
    (at) => ({
      detailType: 'RehomeStarted',
      group: name,
      operationId,
      fromNode: plan.from,
      toNode: plan.to,
      users,
      by: caller,
      at,
    }),
  );
  await ports.workflows.start({
    group: name,
    operationId,
    workflow: 'REHOME',
    fromNode: plan.from,
    toNode: plan.to,
  });
  ports.log.info('Re-home started', {
    group: name,
    operationId,
    fromNode: plan.from,
    toNode: plan.to,
    users,
    by,
  });
  return { group: name, operationId, fromNode: plan.from, toNode: plan.to, users };
}

/** One page of a re-home: how many moved, how many are left, and whether to stop. */
export interface RehomePage {
  outcome: 'moving' | 'done' | 'superseded';
  moved: number;
  remaining: number;
}

/**
 * The re-home workflow's task: moves up to {@link REHOME_PAGE} users from `fromNode` to
 * `toNode`, each with a conditional write that keeps both nodes' user counts right. It
 * stops ('superseded') when the group no longer has `fromNode` failed over to `toNode`
 * (a fallback came first, the group was deleted): the users it has not moved yet keep
 * their home. A user changed by someone else meanwhile is left for the next page.
 * Done when the node's own count (read strongly, unlike the index) reaches zero.
 */
export async function rehomeUsersPage(
  ports: Ports,
  group: string,
  operationId: string,
  fromNode: string,
  toNode: string,
): Promise<RehomePage> {
  const record = await ports.groups.get(group);
  let stillValid = record !== null;
  if (record) {
    try {
      stillValid = checkRehome(record.group, fromNode).to === toNode;
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      stillValid = false;
    }
  }
  if (!record || !stillValid) {
    ports.log.warn(
      `Re-home ${operationId} of group ${group} stopped: ${fromNode} is no longer failed over to ${toNode}; users not yet moved keep ${fromNode} as their home.`,
      { group, operationId },
    );
    return { outcome: 'superseded', moved: 0, remaining: (await ports.nodes.get(fromNode))?.userCount ?? 0 };
  }
  const ids = await ports.users.listByHome(fromNode, REHOME_PAGE);
  let moved = 0;
  for (let i = 0; i < ids.length; i += PARALLEL) {
    const results = await Promise.all(
      ids.slice(i, i + PARALLEL).map(async (userId) => {
        const user = await ports.users.get(userId);
        // The index may lag: a user already moved (or deleted) is skipped.
        if (!user || user.homeNode !== fromNode) return 0;
        try {
          await ports.users.setHome(user, toNode);
          return 1;
        } catch (error) {
          if (error instanceof ConflictError) return 0;
          throw error;
        }
      }),
    );
    moved += results.reduce<number>((a, b) => a + b, 0);
  }
  const remaining = (await ports.nodes.get(fromNode))?.userCount ?? 0;
  if (remaining > 0) return { outcome: 'moving', moved, remaining };
  await recordRehomed(ports, record, operationId, fromNode, toNode);
  return { outcome: 'done', moved, remaining };
}

/** A history line per node, so the group's history says why the node is home to nobody. */
async function recordRehomed(
  ports: Ports,
  record: GroupRecord,
  operationId: string,
  fromNode: string,
  toNode: string,
): Promise<void> {
  const cause = `Re-home ${operationId}: every user whose home was ${fromNode} now has ${toNode} as home; ${fromNode} serves nobody, and the group can be deleted or ${fromNode} replaced.`;
  try {
    await recordRehome(
      ports,
      record.group.name,
      // The workflow finishes what a caller asked for; who asked is on the RehomeStarted lines.
      (member, at) => ({
        at,
        nodeId: member.nodeId,
        from: member.state,
        to: member.state,
        reason: member.reason,
        cause,
      }),
      (at) => ({
        detailType: 'RehomeCompleted',
        group: record.group.name,
        operationId,
        fromNode,
        toNode,
        at,
      }),
    );
  } catch (error) {
    ports.log.error(
      `Group ${record.group.name}: the re-home ${operationId} is done but its history line and RehomeCompleted event were lost.`,
      { group: record.group.name, operationId, error: String(error) },
    );
  }
  ports.log.info('Re-home done', { group: record.group.name, operationId, fromNode, toNode });
}

/**
 * Stores a re-home's history lines and event the way a state change stores its own: in
 * the outbox record of a conditional group write (a version step that leaves the group's
 * state as it is), so a crash after the write still publishes the event (the sweep relays
 * it) with one idempotency key. Without an outbox, history and event are written after.
 */
async function recordRehome(
  ports: Ports,
  name: string,
  line: (member: GroupRecord['group']['members'][number], at: string) => HistoryEntry,
  event: (at: string) => RehomeEvent,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const record = await ports.groups.get(name);
    if (!record) throw new NotFoundError('group', name);
    const now = ports.clock.now();
    const at = new Date(now).toISOString();
    const next: GroupRecord = { ...record, version: record.version + 1, updatedAt: at };
    const history = record.group.members.map((member) => line(member, at));
    const outbox: OutboxRecord = {
      group: name,
      version: next.version,
      at: now,
      events: [event(at)],
      history,
    };
    const params = await ports.settings.clusterParameters(record.clusterId);
    const saved = await savedOrRetry(name, attempt, () =>
      ports.groups.save(next, record.version, groupIndex(next, params), ports.outbox ? outbox : undefined),
    );
    if (!saved) continue;
    if (ports.outbox) {
      await deliverOutbox(ports, outbox).catch((error: unknown) =>
        ports.log.warn(
          `Group ${name}: the re-home is recorded, but its event could not be published now; the sweep publishes it within a minute.`,
          { group: name, error: String(error) },
        ),
      );
    } else {
      await ports.history.append(name, history, next.version);
      await ports.events.publish(outbox.events);
    }
    return;
  }
}
