import {
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { GroupState } from '../../core';
import { ConflictError, VersionConflictError } from '../../app/errors';
import type {
  GroupIndex,
  GroupRepository,
  SteadyHeartbeatOutcome,
  SteadyHeartbeatWrite,
} from '../../app/ports';
import type { GroupRecord } from '../../app/records';
import { allItems, cancellationReasons, isConditionFailure, type TableNames } from './client';
import { SWEEP_SHARD } from '../../contract/tables';

/** The stored item: the record's fields, the domain state under `g`, and the sweep keys. */
interface GroupItem extends Omit<GroupRecord, 'group'> {
  name: string;
  g: GroupState;
  sweepShard?: string;
  timerDueAt?: number;
  silentAt?: number;
}

function toItem(record: GroupRecord, index: GroupIndex): GroupItem {
  const { group, ...rest } = record;
  return {
    ...rest,
    name: group.name,
    g: group,
    ...(index.timerDueAt === null && index.silentAt === null ? {} : { sweepShard: SWEEP_SHARD }),
    ...(index.timerDueAt === null ? {} : { timerDueAt: index.timerDueAt }),
    ...(index.silentAt === null ? {} : { silentAt: index.silentAt }),
  };
}

function fromItem(item: Record<string, unknown> | undefined): GroupRecord | null {
  if (!item) return null;
  const { g, clusterId, description, version, tokens, createdAt, updatedAt } = item as unknown as GroupItem;
  return { group: g, clusterId, description, version, tokens, createdAt, updatedAt };
}

function fromStored(item: Record<string, unknown> | undefined): GroupRecord {
  const record = fromItem(item);
  if (!record) throw new Error('DynamoDB returned no group item where one was written; check the table.');
  return record;
}

/** Groups in DynamoDB: optimistic writes on `version`, transactions where membership must stay unique. */
export class DynamoGroupRepository implements GroupRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
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

  async save(record: GroupRecord, expectedVersion: number, index: GroupIndex): Promise<void> {
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

  async remove(record: GroupRecord): Promise<void> {
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
          ],
        }),
      );
    } catch (e) {
      if (cancellationReasons(e)) {
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

  async listByCluster(clusterId: string): Promise<GroupRecord[]> {
    const items = await allItems(this.db, {
      TableName: this.tables.groups,
      IndexName: 'byCluster',
      KeyConditionExpression: 'clusterId = :c',
      ExpressionAttributeValues: { ':c': clusterId },
    });
    return items.map(fromStored);
  }

  async due(now: number): Promise<string[]> {
    const names = new Set<string>();
    for (const [indexName, key] of [
      ['byTimerDue', 'timerDueAt'],
      ['bySilentAt', 'silentAt'],
    ] as const) {
      const items = await allItems(this.db, {
        TableName: this.tables.groups,
        IndexName: indexName,
        KeyConditionExpression: 'sweepShard = :s AND #due <= :now',
        ExpressionAttributeNames: { '#due': key },
        ExpressionAttributeValues: { ':s': SWEEP_SHARD, ':now': now },
      });
      for (const item of items) names.add(item.name as string);
    }
    return [...names].sort();
  }

  /**
   * The heartbeat's one write. Its condition is `isSteadyHeartbeat` of the core, stated
   * on the stored item (plus the token check and HA on), so the write happens only when
   * the state machine would change nothing but these facts.
   */
  async steadyHeartbeat(w: SteadyHeartbeatWrite): Promise<SteadyHeartbeatOutcome> {
    const i = w.memberIndex;
    const j = i === 0 ? 1 : 0;
    const timeout = w.params.keepAliveTimeout * 1000;
    const me = `#g.#members[${i}]`;
    const peer = `#g.#members[${j}]`;
    const names: Record<string, string> = {
      '#g': 'g',
      '#members': 'members',
      '#ha': 'highAvailability',
      '#op': 'operation',
      '#tokens': 'tokens',
      '#node': w.nodeId,
      '#nodeId': 'nodeId',
      '#bootId': 'bootId',
      '#boot': 'boot',
      '#seq': 'sequence',
      '#last': 'lastHeartbeatAt',
      '#state': 'state',
      '#sdown': 'servicesDownSince',
      '#dbdown': 'databaseDownSince',
      '#notice': 'notice',
      '#services': 'services',
      '#replication': 'replication',
      '#timerDueAt': 'timerDueAt',
      '#silentAt': 'silentAt',
      '#version': 'version',
      '#phase': 'phase',
      '#to': 'to',
    };
    const values: Record<string, unknown> = {
      ':hash': w.tokenHash,
      ':nodeId': w.nodeId,
      ':bootId': w.heartbeat.bootId,
      ':boot': w.heartbeat.boot,
      ':seq': w.heartbeat.sequence,
      ':heardSince': w.now - timeout,
      ':now': w.now,
      ':await': 'AWAIT_SERVICES',
      ':true': true,
      ':initializing': 'INITIALIZING',
      ':down': 'DOWN',
      ':unknown': 'UNKNOWN',
      ':nDown': w.servicesDown.length,
      ':one': 1,
      ':services': w.heartbeat.services,
      ':replication': w.heartbeat.replication ?? null,
      ':silentAt': w.now + timeout + 1,
    };
    const conditions = [
      '#g.#ha = :true',
      '#tokens.#node = :hash',
      `${me}.#nodeId = :nodeId`,
      `${me}.#bootId = :bootId`,
      // The same boot counter too: an item stored before boots were counted has none and
      // fails here, so its next heartbeat goes through the state machine and records it.
      `${me}.#boot = :boot`,
      `${me}.#seq < :seq`,
      `${me}.#last >= :heardSince`,
      `NOT (${me}.#state IN (:initializing, :down, :unknown))`,
      `size(${me}.#sdown) = :nDown`,
      w.heartbeat.database === 'down'
        ? `attribute_type(${me}.#dbdown, :N)`
        : `attribute_type(${me}.#dbdown, :NULL)`,
      '(attribute_not_exists(#timerDueAt) OR #timerDueAt > :now)',
      // Not the node taking back while it is told to start its services (see isSteadyHeartbeat).
      '(attribute_type(#g.#op, :NULL) OR NOT (#g.#op.#phase = :await AND #g.#op.#to = :nodeId))',
      `(size(#g.#members) = :one OR (${peer}.#state = :down AND attribute_type(#g.#op, :NULL)) OR attribute_type(${peer}.#last, :NULL) OR ${peer}.#last >= :heardSince)`,
    ];
    w.servicesDown.forEach((service, k) => {
      names[`#s${k}`] = service;
      conditions.push(`attribute_exists(${me}.#sdown.#s${k})`);
    });
    if (w.heartbeat.notice) {
      values[':notice'] = w.heartbeat.notice;
      conditions.push(`${me}.#notice = :notice`);
    } else {
      conditions.push(`attribute_type(${me}.#notice, :NULL)`);
    }
    // Only the type names an expression uses may be passed (DynamoDB rejects unused values).
    if (w.heartbeat.database === 'down') values[':N'] = 'N';
    values[':NULL'] = 'NULL';
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.tables.groups,
          Key: { name: w.group },
          UpdateExpression: `SET ${me}.#last = :now, ${me}.#seq = :seq, ${me}.#services = :services, ${me}.#replication = :replication, #silentAt = :silentAt, #version = #version + :one`,
          ConditionExpression: conditions.join(' AND '),
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
