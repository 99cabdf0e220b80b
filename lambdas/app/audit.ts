import { randomInt } from 'node:crypto';
import type { HistoryEntry } from '../core';
import { groupIndex } from './applyGroupEvent';
import { NotFoundError } from './errors';
import { savedOrRetry } from './groupSave';
import { deliverOutbox, type OutboxRecord } from './outbox';
import type { Ports } from './ports';
import type { GroupRecord } from './records';

/**
 * The admin actions that change no node's state but must still say who did them
 * (docs/operations.md, "Who did what"). The state changes, maintenance and re-home have
 * events of their own.
 */
export type AdminActionName =
  | 'GroupDeleted'
  | 'GroupDescriptionChanged'
  | 'NodeRegistered'
  | 'NodeTokenRotated'
  | 'NodeDeleted'
  | 'NodeParametersChanged'
  | 'ClusterParametersChanged'
  | 'EnterpriseParametersChanged'
  | 'UserAdded'
  | 'UserDeleted'
  | 'UserHomeSet'
  | 'ClusterRebalanced';

/**
 * The event of an admin action (detail-type `AdminAction`): who did what to which
 * object, and which fields it set. Field names only: never a token, a hash or a value
 * that could be one.
 */
export interface AdminActionEvent {
  detailType: 'AdminAction';
  action: AdminActionName;
  /** The group acted on, or the group of the node acted on, when there is one. */
  group?: string;
  nodeId?: string;
  clusterId?: string;
  userId?: string;
  /** The fields the action set or changed (for a parameters change, only those whose value changed). */
  changed: string[];
  /** What was done, in words, as a history line's cause says it. */
  summary: string;
  /** Who asked (see HistoryEntry.by). */
  by: string;
  at: string;
}

/**
 * The partition-like name under which an admin action on no group keeps its outbox
 * record. Group names cannot start with `#`, so it never meets a group's.
 */
export const ADMIN_OUTBOX_GROUP = '#admin';

/**
 * A key for an admin action's record that no group version ever takes: a group's version
 * counts up from 1, this is a random number of 2^48 or more (below 2^49, so exact in a
 * JSON number). The record's storage key starts with the action's time, so two actions
 * would have to fall in the same millisecond and draw the same of 2^48 numbers to meet;
 * and a group deleted and created again under its name cannot reuse the idempotency key
 * of its deletion's event.
 */
export function adminActionVersion(): number {
  return 2 ** 48 + randomInt(2 ** 48 - 1);
}

/** What an admin action tells: its event, and for a group's action the group's lines. */
export interface AdminActionInput {
  action: AdminActionName;
  group?: string | null;
  nodeId?: string;
  clusterId?: string;
  userId?: string;
  changed: string[];
  summary: string;
  by?: string | undefined;
  history?: (at: string, by: string) => HistoryEntry[];
}

/**
 * The outbox record of an admin action done at `now`: written in the action's own
 * DynamoDB transaction by the adapter (with `version` the group version it writes, if
 * it writes one), so the action and its record are stored together or not at all.
 */
export function adminActionRecord(
  now: number,
  input: AdminActionInput,
  version: number = adminActionVersion(),
): OutboxRecord {
  const at = new Date(now).toISOString();
  const by = input.by ?? 'unknown caller';
  const event: AdminActionEvent = {
    detailType: 'AdminAction',
    action: input.action,
    ...(input.group ? { group: input.group } : {}),
    ...(input.nodeId === undefined ? {} : { nodeId: input.nodeId }),
    ...(input.clusterId === undefined ? {} : { clusterId: input.clusterId }),
    ...(input.userId === undefined ? {} : { userId: input.userId }),
    changed: input.changed,
    summary: input.summary,
    by,
    at,
  };
  return {
    group: input.group ?? ADMIN_OUTBOX_GROUP,
    version,
    at: now,
    events: [event],
    history: input.history ? input.history(at, by) : [],
  };
}

/** The record to hand the adapter: none when the ports keep no outbox (unit tests' memory ports). */
export function inTransaction(ports: Ports, record: OutboxRecord): OutboxRecord | undefined {
  return ports.outbox ? record : undefined;
}

/**
 * After the action and its record are stored: publishes the record's event and clears
 * it; if that fails the record stays and the sweep publishes it (docs/events.md). With
 * no outbox, writes the history lines and publishes the event now, best effort.
 */
export async function announce(ports: Ports, record: OutboxRecord): Promise<void> {
  try {
    if (ports.outbox) {
      await deliverOutbox(ports, record);
      return;
    }
    if (record.history.length > 0) await ports.history.append(record.group, record.history, record.version);
    await ports.events.publish(record.events);
  } catch (error) {
    ports.log.warn(
      ports.outbox
        ? 'An admin action and its record are stored, but its event could not be published now; the sweep publishes it within a minute.'
        : 'An admin action is done, but its event or history line could not be written.',
      { group: record.group, version: record.version, error: String(error) },
    );
  }
}

/** One history line per member, states unchanged, naming the action and the caller. */
export function linesForMembers(record: GroupRecord, cause: string) {
  return (at: string, by: string): HistoryEntry[] =>
    record.group.members.map((member) => ({
      at,
      nodeId: member.nodeId,
      from: member.state,
      to: member.state,
      reason: member.reason,
      cause,
      by,
    }));
}

/**
 * Changes a group's own fields (not its state) as a version step of the group, with the
 * action's history lines and event in the same transaction, as a state change stores
 * its own. `edit` returns null when there is nothing to change: nothing is written.
 */
export async function editGroupRecorded(
  ports: Ports,
  name: string,
  edit: (record: GroupRecord) => GroupRecord | null,
  input: (record: GroupRecord) => AdminActionInput,
): Promise<GroupRecord> {
  for (let attempt = 1; ; attempt++) {
    const record = await ports.groups.get(name);
    if (!record) throw new NotFoundError('group', name);
    const edited = edit(record);
    if (!edited) return record;
    const now = ports.clock.now();
    const next: GroupRecord = {
      ...edited,
      version: record.version + 1,
      updatedAt: new Date(now).toISOString(),
    };
    const audit = adminActionRecord(now, input(record), next.version);
    const params = await ports.settings.clusterParameters(record.clusterId);
    const saved = await savedOrRetry(name, attempt, () =>
      ports.groups.save(next, record.version, groupIndex(next, params), inTransaction(ports, audit)),
    );
    if (!saved) continue;
    await announce(ports, audit);
    return next;
  }
}

/** The names of the fields of `patch` whose value differs from `current`. */
export function changedFields(current: object, patch: object): string[] {
  const before = current as Record<string, unknown>;
  return Object.entries(patch)
    .filter(([key, value]) => value !== undefined && JSON.stringify(before[key]) !== JSON.stringify(value))
    .map(([key]) => key)
    .sort();
}
