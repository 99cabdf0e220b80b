/**
 * The DynamoDB tables of presence-ha as plain data: the CDK stack (`lib/`) and the
 * embedded default (`local/`, DynamoDB Local) both build their tables from this one
 * definition, so the offline runtime cannot drift from what `cdk deploy` creates.
 * Why each key and index exists is in `docs/data-model.md`.
 */

export type AttributeType = 'S' | 'N';

export interface KeyDefinition {
  readonly name: string;
  readonly type: AttributeType;
}

export interface IndexDefinition {
  readonly indexName: string;
  readonly partitionKey: KeyDefinition;
  readonly sortKey?: KeyDefinition;
  /** `KEYS_ONLY` where the reader only needs the keys. */
  readonly projection: 'ALL' | 'KEYS_ONLY';
}

export interface TableDefinition {
  /** Logical name: the CDK construct id suffix and the environment variable of the table name. */
  readonly id: TableId;
  /** Environment variable through which handlers learn the physical table name. */
  readonly envVar: string;
  readonly partitionKey: KeyDefinition;
  readonly sortKey?: KeyDefinition;
  readonly indexes: readonly IndexDefinition[];
  /** Attribute holding an epoch-seconds expiry, for DynamoDB TTL. */
  readonly timeToLiveAttribute?: string;
}

export type TableId = 'groups' | 'nodes' | 'users' | 'settings' | 'history';

/**
 * Partitions of the sparse sweep indexes. A group's shard is a hash of its name, so the
 * index writes of a large fleet spread over this many partition keys (DynamoDB serves at
 * most 1,000 write units a second per partition key) and the sweep queries each shard
 * for what is due. Raising it is safe (new writes spread wider, the sweep reads every
 * shard); lowering it would hide the groups stored in the shards dropped.
 */
export const SWEEP_SHARDS = 16;

/** The sweep index partition of a group: `due#0` … `due#15`, from an FNV-1a hash of its name. */
export function sweepShardOf(name: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `due#${hash % SWEEP_SHARDS}`;
}

/** Every sweep shard, in order. */
export const SWEEP_SHARD_KEYS: readonly string[] = Array.from({ length: SWEEP_SHARDS }, (_, i) => `due#${i}`);

/**
 * Width of the buckets in which the pair-silence index keeps its deadline: the stored
 * key is the deadline rounded up to the next multiple, so a steady heartbeat moves the
 * index entry (two index write units) once per bucket instead of on every beat. The cost
 * is that a pair which falls silent as a whole is found by the sweep up to this much
 * later; a single silent node is found by its peer's heartbeats, without the sweep.
 */
export const SILENCE_BUCKET_MS = 10 * 60_000;

export const TABLES: Readonly<Record<TableId, TableDefinition>> = {
  /**
   * One item per presence redundancy group: the whole domain state (members with their
   * heartbeat facts, operation, timers), its `version` for optimistic writes, the member
   * token hashes so that a steady heartbeat is verified inside its own conditional write,
   * and the two sweep deadlines. Laid out compactly (lambdas/adapters/dynamodb/groupItem.ts)
   * so that a steady heartbeat's write is one write unit.
   */
  groups: {
    id: 'groups',
    envVar: 'TABLE_GROUPS',
    partitionKey: { name: 'name', type: 'S' },
    indexes: [
      // Groups of a cluster: the "no new users while a node of the cluster is failed over" rule.
      // Keys only (the reader then gets the items), so that no heartbeat is copied into it.
      {
        indexName: 'byCluster',
        partitionKey: { name: 'clusterId', type: 'S' },
        sortKey: { name: 'name', type: 'S' },
        projection: 'KEYS_ONLY',
      },
      // Timers (initialization windows, critical-service delays, workflow deadlines,
      // automatic fallback): written only when the state machine runs, never by a steady heartbeat.
      {
        indexName: 'byTimerDue',
        partitionKey: { name: 'sweepShard', type: 'S' },
        sortKey: { name: 'timerDueAt', type: 'N' },
        projection: 'KEYS_ONLY',
      },
      // When the whole pair will have been silent for keepAliveTimeout, rounded up to a
      // SILENCE_BUCKET_MS bucket: moved by a steady heartbeat only when the bucket changes.
      {
        indexName: 'bySilentAt',
        partitionKey: { name: 'sweepShard', type: 'S' },
        sortKey: { name: 'silentAt', type: 'N' },
        projection: 'KEYS_ONLY',
      },
      // Sparse: only groups that need an operator's eye (high availability on and a node
      // not Normal) carry `attention`. Written by decisions, never by a steady heartbeat,
      // so the minute census behind GroupsNotNormal reads O(groups not Normal), not the fleet.
      {
        indexName: 'byAttention',
        partitionKey: { name: 'attention', type: 'S' },
        sortKey: { name: 'name', type: 'S' },
        projection: 'KEYS_ONLY',
      },
    ],
  },
  /** Registered nodes: identity, token hash, group membership, per-node parameters, user count. */
  nodes: {
    id: 'nodes',
    envVar: 'TABLE_NODES',
    partitionKey: { name: 'nodeId', type: 'S' },
    indexes: [
      {
        indexName: 'byCluster',
        partitionKey: { name: 'clusterId', type: 'S' },
        sortKey: { name: 'nodeId', type: 'S' },
        projection: 'ALL',
      },
    ],
  },
  /** Users and their home node; the serving node is derived from the group, never stored. */
  users: {
    id: 'users',
    envVar: 'TABLE_USERS',
    partitionKey: { name: 'userId', type: 'S' },
    indexes: [
      {
        indexName: 'byHomeNode',
        partitionKey: { name: 'homeNode', type: 'S' },
        sortKey: { name: 'userId', type: 'S' },
        projection: 'KEYS_ONLY',
      },
    ],
  },
  /** Cluster-wide parameters (`cluster#<id>`) and the enterprise parameters (`enterprise`). */
  settings: {
    id: 'settings',
    envVar: 'TABLE_SETTINGS',
    partitionKey: { name: 'scope', type: 'S' },
    indexes: [],
  },
  /** State changes of a group, newest first by sort key; expire after the retention period. */
  history: {
    id: 'history',
    envVar: 'TABLE_HISTORY',
    partitionKey: { name: 'group', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    indexes: [],
    timeToLiveAttribute: 'expiresAt',
  },
};

export const TABLE_IDS = Object.keys(TABLES) as TableId[];

/** Physical table names by table, as a deployment (or the embedded default) names them. */
export type TableNames = Record<TableId, string>;
