import { applySteadyHeartbeat, isSteadyHeartbeat, needsAttention } from '../../../lambdas/core';
import {
  ConflictError,
  VersionConflictError,
  type GroupIndex,
  type GroupRecord,
  type GroupRepository,
  type Page,
  type PageRequest,
  type SteadyHeartbeatOutcome,
  type SteadyHeartbeatWrite,
} from '../../../lambdas/app';
import { copy, type MemoryDatabase, type StoredGroup } from './database';
import { pageOf } from './paging';

function stored(record: GroupRecord, index: GroupIndex): StoredGroup {
  return {
    record: copy(record),
    timerDueAt: index.timerDueAt,
    silentAt: index.silentAt,
    swept: index.timerDueAt !== null || index.silentAt !== null,
  };
}

/**
 * Groups in memory, with the DynamoDB adapter's conditions: every write is conditional on
 * the version read, creation and deletion move node membership in one all-or-nothing step,
 * and the steady heartbeat is written only when the core's `isSteadyHeartbeat` holds for
 * the stored group.
 */
export class MemoryGroupRepository implements GroupRepository {
  /** Writes refused because the stored version had moved on, by group. */
  readonly versionConflicts: string[] = [];
  /** Steady-heartbeat writes made and refused, to see which path a heartbeat took. */
  readonly steady = { written: 0, refused: 0 };
  /** Full writes of a group (create, save), as opposed to the steady heartbeat's. */
  saves = 0;
  /**
   * Runs after a group is read and before the reader gets it: a test parks a request
   * here to let another one write in between.
   */
  afterGet: ((name: string) => Promise<void>) | null = null;

  constructor(private readonly db: MemoryDatabase) {}

  async get(name: string): Promise<GroupRecord | null> {
    await this.db.call('groups.get');
    const item = this.db.groups.get(name);
    const record = item ? copy(item.record) : null;
    if (this.afterGet) await this.afterGet(name);
    return record;
  }

  async create(record: GroupRecord, index: GroupIndex): Promise<void> {
    await this.db.call('groups.create');
    const name = record.group.name;
    if (this.db.groups.has(name)) {
      throw new ConflictError(
        `A group named ${name} already exists; group names are unique.`,
        'ALREADY_EXISTS',
      );
    }
    const taken = record.group.nodes.find((nodeId) => {
      const node = this.db.nodes.get(nodeId);
      return !node || node.group !== null || node.tokenHash !== record.tokens[nodeId];
    });
    if (taken) {
      throw new ConflictError(
        `Node ${taken} was just added to another group, deleted or given a new token; try again.`,
        'IN_USE',
      );
    }
    this.db.groups.set(name, stored(record, index));
    for (const nodeId of record.group.nodes) this.db.nodes.get(nodeId)!.group = name;
  }

  async save(record: GroupRecord, expectedVersion: number, index: GroupIndex): Promise<void> {
    await this.db.call('groups.save');
    const name = record.group.name;
    const current = this.db.groups.get(name);
    if (!current || current.record.version !== expectedVersion) {
      this.versionConflicts.push(name);
      throw new VersionConflictError(`group ${name}`);
    }
    this.db.groups.set(name, stored(record, index));
    this.saves += 1;
  }

  async remove(record: GroupRecord): Promise<void> {
    await this.db.call('groups.remove');
    const name = record.group.name;
    const current = this.db.groups.get(name);
    const nodesStillMembers = record.group.nodes.every((id) => this.db.nodes.get(id)?.group === name);
    if (current && current.record.version !== record.version) {
      throw new VersionConflictError(`group ${name}`);
    }
    if (!current || !nodesStillMembers) {
      throw new ConflictError(
        `Group ${name} changed while it was being deleted; nothing was deleted. Try again.`,
        'CONCURRENT_UPDATE',
      );
    }
    this.db.groups.delete(name);
    for (const nodeId of record.group.nodes) this.db.nodes.get(nodeId)!.group = null;
  }

  async list(namePrefix: string): Promise<GroupRecord[]> {
    await this.db.call('groups.list');
    return [...this.db.groups.values()]
      .filter((item) => item.record.group.name.startsWith(namePrefix))
      .map((item) => copy(item.record))
      .sort((a, b) => a.group.name.localeCompare(b.group.name));
  }

  async page(namePrefix: string, request: PageRequest): Promise<Page<GroupRecord>> {
    await this.db.call('groups.page');
    const matching = [...this.db.groups.values()]
      .map((item) => item.record)
      .filter((r) => r.group.name.startsWith(namePrefix));
    const page = pageOf(
      matching,
      request,
      (r) => ({ name: r.group.name }),
      (k) => String(k.name),
    );
    return { items: page.items.map(copy), last: page.last };
  }

  async getMany(names: readonly string[]): Promise<GroupRecord[]> {
    await this.db.call('groups.getMany');
    return names.flatMap((name) => {
      const item = this.db.groups.get(name);
      return item ? [copy(item.record)] : [];
    });
  }

  async listByCluster(clusterId: string): Promise<GroupRecord[]> {
    await this.db.call('groups.listByCluster');
    return [...this.db.groups.values()]
      .filter((item) => item.record.clusterId === clusterId)
      .map((item) => copy(item.record));
  }

  async needingAttention(): Promise<GroupRecord[]> {
    await this.db.call('groups.needingAttention');
    return [...this.db.groups.values()]
      .filter((item) => needsAttention(item.record.group))
      .map((item) => copy(item.record))
      .sort((a, b) => a.group.name.localeCompare(b.group.name));
  }

  /** From the stored index, as the two index queries see it: only items with a sweep shard. */
  async due(now: number): Promise<string[]> {
    await this.db.call('groups.due');
    const names = [...this.db.groups.values()]
      .filter(
        (item) =>
          item.swept &&
          ((item.timerDueAt !== null && item.timerDueAt <= now) ||
            (item.silentAt !== null && item.silentAt <= now)),
      )
      .map((item) => item.record.group.name);
    return names.sort();
  }

  async steadyHeartbeat(w: SteadyHeartbeatWrite): Promise<SteadyHeartbeatOutcome> {
    await this.db.call('groups.steadyHeartbeat');
    const item = this.db.groups.get(w.group);
    const holds =
      item !== undefined &&
      item.record.group.highAvailability &&
      item.record.tokens[w.nodeId] === w.tokenHash &&
      item.record.group.members[w.memberIndex]?.nodeId === w.nodeId &&
      isSteadyHeartbeat(item.record.group, w.nodeId, w.heartbeat, w.now, w.params, item.timerDueAt);
    if (!holds) {
      this.steady.refused += 1;
      return { written: false };
    }
    // The same update as the adapter's: the node's facts, the pair's silence, the version.
    item.record = {
      ...item.record,
      group: applySteadyHeartbeat(item.record.group, w.nodeId, w.heartbeat, w.now),
      version: item.record.version + 1,
    };
    item.silentAt = w.now + w.params.keepAliveTimeout * 1000 + 1;
    this.steady.written += 1;
    return { written: true, record: copy(item.record) };
  }

  /** The sweep index stored with a group (what `due` reads), for assertions. */
  index(name: string): GroupIndex | null {
    const item = this.db.groups.get(name);
    return item ? { timerDueAt: item.timerDueAt, silentAt: item.silentAt } : null;
  }
}
