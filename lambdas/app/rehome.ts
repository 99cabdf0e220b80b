import { randomUUID } from 'node:crypto';
import { checkRehome, memberStates, Refusal, type HistoryEntry } from '../core';
import { ConflictError, NotFoundError } from './errors';
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
  const at = new Date(ports.clock.now()).toISOString();
  const cause = `Re-home ${operationId}: every user whose home was ${fromNode} now has ${toNode} as home; ${fromNode} serves nobody, and the group can be deleted or ${fromNode} replaced.`;
  const entries: HistoryEntry[] = record.group.members.map((m) => ({
    at,
    nodeId: m.nodeId,
    from: m.state,
    to: m.state,
    reason: m.reason,
    cause,
  }));
  try {
    await ports.history.append(record.group.name, entries, record.version);
  } catch (error) {
    ports.log.error(`Group ${record.group.name}: the re-home is done but its history line was lost.`, {
      error: String(error),
    });
  }
  ports.log.info('Re-home done', { group: record.group.name, operationId, fromNode, toNode });
}
