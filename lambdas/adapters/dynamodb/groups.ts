import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand, type DocumentDb } from './commands';
import { HEARD_NOTHING } from '../../core';
import { ConflictError, VersionConflictError } from '../../app/errors';
import type {
  GroupIndex,
  GroupRepository,
  SteadyHeartbeatOutcome,
  SteadyHeartbeatWrite,
} from '../../app/ports';
import type { GroupRecord } from '../../app/records';
import type { OutboxRecord } from '../../app/outbox';
import { outboxPuts } from './outbox';
import type { Page, PageRequest } from '../../app/paging';
import { batchGet, readPage } from './paging';
import { allItems, cancellationReasons, isConditionFailure, type TableNames } from './client';
import { SWEEP_SHARD_KEYS, sweepShardOf } from '../../contract/tables';
import { encodeServices, fromGroupItem, memberAttribute, silenceBucket, toGroupItem } from './groupItem';

const toItem = toGroupItem;

function fromItem(item: Record<string, unknown> | undefined): GroupRecord | null {
  return item ? fromGroupItem(item) : null;
}

function fromStored(item: Record<string, unknown> | undefined): GroupRecord {
  const record = fromItem(item);
  if (!record) throw new Error('DynamoDB returned no group item where one was written; check the table.');
  return record;
}

/** Groups in DynamoDB: optimistic writes on `version`, transactions where membership must stay unique. */
export class DynamoGroupRepository implements GroupRepository {
  constructor(
    private readonly db: DocumentDb,
    private readonly tables: TableNames,
  ) {}

  async get(name: string): Promise<GroupRecord | null> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tables.groups, Key: { name }, ConsistentRead: true }),
    );
    return fromItem(out.Item);
  }

  async create(record: GroupRecord, index: GroupIndex): Promise<void> {
    const name = record.group.name;
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tables.groups,
                Item: toItem(record, index),
                ConditionExpression: 'attribute_not_exists(#name)',
                ExpressionAttributeNames: { '#name': 'name' },
              },
            },
            ...record.group.nodes.map((nodeId) => ({
              Update: {
                TableName: this.tables.nodes,
                Key: { nodeId },
                UpdateExpression: 'SET #group = :name',
                // The token hash copied into the group must still be the node's (no rotation meanwhile).
                ConditionExpression:
                  'attribute_exists(nodeId) AND (attribute_not_exists(#group) OR #group = :null) AND tokenHash = :hash',
                ExpressionAttributeNames: { '#group': 'group' },
                ExpressionAttributeValues: { ':name': name, ':null': null, ':hash': record.tokens[nodeId] },
              },
            })),
          ],
        }),
      );
    } catch (e) {
      const reasons = cancellationReasons(e);
      if (!reasons) throw e;
      if (reasons[0] === 'ConditionalCheckFailed') {
        throw new ConflictError(
          `A group named ${name} already exists; group names are unique.`,
          'ALREADY_EXISTS',
        );
      }
      const taken = record.group.nodes.find((_, i) => reasons[i + 1] === 'ConditionalCheckFailed');
      if (taken) {
        throw new ConflictError(
          `Node ${taken} was just added to another group, deleted or given a new token; try again.`,
          'IN_USE',
        );
      }
      throw e;
    }
  }

  async save(
    record: GroupRecord,
    expectedVersion: number,
    index: GroupIndex,
    outbox?: OutboxRecord,
  ): Promise<void> {
    if (outbox) return this.saveWithOutbox(record, expectedVersion, index, outbox);
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tables.groups,
          Item: toItem(record, index),
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': expectedVersion },
        }),
      );
    } catch (e) {
      if (isConditionFailure(e)) throw new VersionConflictError(`group ${record.group.name}`);
      throw e;
    }
  }

  /**
   * The decision, its history lines and its outbox record in one transaction: all are
   * stored or none. Only decisions that say something come here; a steady heartbeat never does.
   */
  private async saveWithOutbox(
    record: GroupRecord,
    expectedVersion: number,
    index: GroupIndex,
    outbox: OutboxRecord,
  ): Promise<void> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tables.groups,
                Item: toItem(record, index),
                ConditionExpression: '#version = :expected',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':expected': expectedVersion },
              },
            },
            ...outboxPuts(this.tables.history, outbox),
          ],
        }),
      );
    } catch (e) {
      const reasons = cancellationReasons(e);
      // Another write on the group got in first (or is in flight): decide again on what it wrote.
      if (reasons?.[0] === 'ConditionalCheckFailed' || reasons?.includes('TransactionConflict')) {
        throw new VersionConflictError(`group ${record.group.name}`);
      }
      throw e;
    }
  }

  async remove(record: GroupRecord, audit?: OutboxRecord): Promise<void> {
    const name = record.group.name;
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: this.tables.groups,
                Key: { name },
                ConditionExpression: '#version = :expected',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':expected': record.version },
              },
            },
            ...record.group.nodes.map((nodeId) => ({
              Update: {
                TableName: this.tables.nodes,
                Key: { nodeId },
                UpdateExpression: 'SET #group = :null',
                ConditionExpression: '#group = :name',
                ExpressionAttributeNames: { '#group': 'group' },
                ExpressionAttributeValues: { ':name': name, ':null': null },
              },
            })),
            ...(audit ? outboxPuts(this.tables.history, audit) : []),
          ],
        }),
      );
    } catch (e) {
      const reasons = cancellationReasons(e);
      // A newer version of the group (a heartbeat's decision): the caller judges it again.
      if (reasons?.[0] === 'ConditionalCheckFailed' || reasons?.includes('TransactionConflict')) {
        throw new VersionConflictError(`group ${name}`);
      }
      if (reasons) {
        throw new ConflictError(
          `Group ${name} changed while it was being deleted; nothing was deleted. Try again.`,
          'CONCURRENT_UPDATE',
        );
      }
      throw e;
    }
  }

  async list(namePrefix: string): Promise<GroupRecord[]> {
    const items = await allItems(this.db, {
      TableName: this.tables.groups,
      ...(namePrefix
        ? {
            FilterExpression: 'begins_with(#name, :prefix)',
            ExpressionAttributeNames: { '#name': 'name' },
            ExpressionAttributeValues: { ':prefix': namePrefix },
          }
        : {}),
    });
    return items.map(fromStored).sort((a, b) => a.group.name.localeCompare(b.group.name));
  }

  async page(namePrefix: string, request: PageRequest): Promise<Page<GroupRecord>> {
    const page = await readPage(
      this.db,
      {
        TableName: this.tables.groups,
        ...(namePrefix
          ? {
              FilterExpression: 'begins_with(#name, :prefix)',
              ExpressionAttributeNames: { '#name': 'name' },
              ExpressionAttributeValues: { ':prefix': namePrefix },
            }
          : {}),
      },
      request,
    );
    return { items: page.items.map(fromStored), last: page.last };
  }

  async getMany(names: readonly string[]): Promise<GroupRecord[]> {
    const items = await batchGet(
      this.db,
      this.tables.groups,
      names.map((name) => ({ name })),
    );
    return items.map(fromStored);
  }

  async needingAttention(): Promise<GroupRecord[]> {
    // One query per shard of the sparse index (keys only), then the items themselves.
    const keys = await Promise.all(
      SWEEP_SHARD_KEYS.map((shard) =>
        allItems(this.db, {
          TableName: this.tables.groups,
          IndexName: 'byAttention',
          KeyConditionExpression: 'attention = :s',
          ExpressionAttributeValues: { ':s': shard },
        }),
      ),
    );
    return this.byName(keys.flat());
  }

  async listByCluster(clusterId: string): Promise<GroupRecord[]> {
    // The index holds keys only (a heartbeat must not be copied into it): read the items.
    const keys = await allItems(this.db, {
      TableName: this.tables.groups,
      IndexName: 'byCluster',
      KeyConditionExpression: 'clusterId = :c',
      ExpressionAttributeValues: { ':c': clusterId },
    });
    return this.byName(keys);
  }

  /**
   * The groups a keys-only index named, read in batches and sorted by name. A group
   * deleted between the index query and the read is simply not there.
   */
  private async byName(keys: Record<string, unknown>[]): Promise<GroupRecord[]> {
    const records = await this.getMany(keys.map((key) => String(key.name)));
    return records.sort((a, b) => a.group.name.localeCompare(b.group.name));
  }

  /**
   * Names of the groups due at `now`: every shard of both sweep indexes, queried at once.
   * Each query reads only entries at or before `now`, so the work is one query per shard
   * and index plus the groups due, whatever the size of the fleet.
   */
  async due(now: number): Promise<string[]> {
    const queries = SWEEP_SHARD_KEYS.flatMap((shard) =>
      (
        [
          ['byTimerDue', 'timerDueAt'],
          ['bySilentAt', 'silentAt'],
        ] as const
      ).map(([indexName, key]) =>
        allItems(this.db, {
          TableName: this.tables.groups,
          IndexName: indexName,
          KeyConditionExpression: 'sweepShard = :s AND #due <= :now',
          ExpressionAttributeNames: { '#due': key },
          ExpressionAttributeValues: { ':s': shard, ':now': now },
        }),
      ),
    );
    const names = new Set<string>();
    for (const items of await Promise.all(queries)) for (const item of items) names.add(item.name as string);
    return [...names].sort();
  }

  /**
   * The heartbeat's one write. Its condition is `isSteadyHeartbeat` of the core stated on
   * the stored item, clause by clause in the core's order (after the adapter's own: the
   * token and HA on), so the write happens only when the state machine would change
   * nothing but the node's last-heard facts. It rewrites no index: the silence index key
   * is set to the value it already has except once per SILENCE_BUCKET_MS.
   */
  async steadyHeartbeat(w: SteadyHeartbeatWrite): Promise<SteadyHeartbeatOutcome> {
    const i = w.memberIndex;
    const timeout = w.params.keepAliveTimeout * 1000;
    const me = `#m${i}`;
    const peer = `#m${i === 0 ? 1 : 0}`;
    const names: Record<string, string> = {
      [me]: memberAttribute(i),
      [peer]: memberAttribute(i === 0 ? 1 : 0),
      '#g': 'g',
      '#ha': 'highAvailability',
      '#op': 'operation',
      '#tokens': 'tokens',
      '#node': w.nodeId,
      '#id': 'id',
      '#bi': 'bi',
      '#bo': 'bo',
      '#q': 'q',
      '#l': 'l',
      '#st': 'st',
      '#sd': 'sd',
      '#dd': 'dd',
      '#n': 'n',
      '#sv': 'sv',
      '#r': 'r',
      '#aw': 'aw',
      '#timerDueAt': 'timerDueAt',
      '#silentAt': 'silentAt',
      '#shard': 'sweepShard',
      '#version': 'version',
    };
    const values: Record<string, unknown> = {
      ':hash': w.tokenHash,
      ':nodeId': w.nodeId,
      ':bootId': w.heartbeat.bootId,
      ':boot': w.heartbeat.boot,
      ':seq': w.heartbeat.sequence,
      ':heardSince': w.now - timeout,
      ':now': w.now,
      ':true': true,
      ':initializing': 'INITIALIZING',
      ':down': 'DOWN',
      ':unknown': 'UNKNOWN',
      ':nDown': w.servicesDown.length,
      ':one': 1,
      ':services': encodeServices(w.heartbeat.services),
      ':replication': w.heartbeat.replication ?? null,
      ':silentAt': silenceBucket(w.now + timeout + 1),
      ':shard': sweepShardOf(w.group),
      ':NULL': 'NULL',
    };
    w.servicesDown.forEach((service, k) => {
      names[`#s${k}`] = service;
    });
    if (w.heartbeat.database === 'down') values[':N'] = 'N';
    if (w.heartbeat.notice) values[':notice'] = w.heartbeat.notice;
    // What the heartbeat acknowledges (core: acknowledged): an epoch of this group and
    // incarnation, -1 for "nothing heard yet", or nothing that counts (stored as null).
    const heard = w.heartbeat.heard;
    let sameAcknowledgement = `(attribute_not_exists(${me}.#he) OR attribute_type(${me}.#he, :NULL))`;
    names['#he'] = 'he';
    if (heard !== undefined) names['#ak'] = 'ak';
    if (heard === null) {
      values[':heard'] = HEARD_NOTHING;
      sameAcknowledgement = `${me}.#he = :heard`;
    } else if (heard !== undefined && heard.group === w.group) {
      names['#inc'] = 'incarnation';
      values[':heard'] = heard.epoch;
      const incarnation =
        heard.incarnation === null
          ? '(attribute_not_exists(#g.#inc) OR attribute_type(#g.#inc, :NULL))'
          : '#g.#inc = :inc';
      if (heard.incarnation !== null) values[':inc'] = heard.incarnation;
      sameAcknowledgement = `${me}.#he = :heard AND ${incarnation}`;
    }
    // One named clause per check, in the order of isSteadyHeartbeat (core/machine/steady.ts).
    const clauses = {
      // The adapter's own: the cache's guess of group and token is checked by the write itself.
      tokenStillValid: '#tokens.#node = :hash',
      haOn: '#g.#ha = :true',
      sameBoot: `${me}.#id = :nodeId AND ${me}.#bi = :bootId`,
      // An item stored before boots were counted has none and fails here: its next
      // heartbeat goes through the state machine and records it.
      sameBootCounter: `${me}.#bo = :boot`,
      nextSequence: `${me}.#q < :seq`,
      heardWithinTimeout: `${me}.#l >= :heardSince`,
      notAStateAHeartbeatChanges: `NOT (${me}.#st IN (:initializing, :down, :unknown))`,
      sameFaults: [
        `size(${me}.#sd) = :nDown`,
        ...w.servicesDown.map((_, k) => `attribute_exists(${me}.#sd.#s${k})`),
        w.heartbeat.database === 'down'
          ? `attribute_type(${me}.#dd, :N)`
          : `attribute_type(${me}.#dd, :NULL)`,
        w.heartbeat.notice ? `${me}.#n = :notice` : `attribute_type(${me}.#n, :NULL)`,
      ].join(' AND '),
      // A heartbeat carrying `heard` is steady only from an agent already marked as one
      // that acknowledges (its first such heartbeat marks it, through the state machine);
      // one without `heard` leaves the mark as it is, so it checks nothing here.
      agentKnownToAcknowledge: heard === undefined ? null : `${me}.#ak = :true`,
      sameAcknowledgement,
      noTimerDue: '(attribute_not_exists(#timerDueAt) OR #timerDueAt > :now)',
      // Not the node an operation waits to hear from (told to start, or to stop, its services).
      notAwaitedByTheOperation: '(attribute_not_exists(#aw) OR #aw <> :nodeId)',
      peerHeardOrKnownDown: `(attribute_not_exists(${peer}) OR (${peer}.#st = :down AND attribute_type(#g.#op, :NULL)) OR attribute_type(${peer}.#l, :NULL) OR ${peer}.#l >= :heardSince)`,
    };
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.tables.groups,
          Key: { name: w.group },
          UpdateExpression: `SET ${me}.#l = :now, ${me}.#q = :seq, ${me}.#sv = :services, ${me}.#r = :replication, #silentAt = :silentAt, #shard = :shard, #version = #version + :one`,
          ConditionExpression: Object.values(clauses)
            .filter((c) => c !== null)
            .join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { written: true, record: fromStored(out.Attributes) };
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      return { written: false };
    }
  }
}
