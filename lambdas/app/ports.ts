import type { ClusterParameters, HeartbeatBody, HistoryEntry, WorkflowKind } from '../core';
import type { EnterpriseRecord, GroupRecord, LastHeartbeat, NodeRecord, UserRecord } from './records';
import type { Page, PageRequest } from './paging';
import type { NodeTokenKeyRing } from './tokens';
import type { OutboxRecord, OutboxStore, PublishedEvent } from './outbox';

/** Where the sweep and the heartbeat's fast path find a group's deadlines (see docs/data-model.md). */
export interface GroupIndex {
  timerDueAt: number | null;
  silentAt: number | null;
}

/** What the one-write heartbeat needs to state its condition. */
export interface SteadyHeartbeatWrite {
  group: string;
  /** Position of the node in `members`, from the membership cache; verified by the condition. */
  memberIndex: number;
  nodeId: string;
  tokenHash: string;
  heartbeat: HeartbeatBody;
  /** The critical services the heartbeat reports down. */
  servicesDown: string[];
  now: number;
  params: ClusterParameters;
}

export type SteadyHeartbeatOutcome =
  | { written: true; record: GroupRecord }
  /** The condition failed: the state machine must decide (or the group, node or token is not what the cache thought). */
  | { written: false };

export interface GroupRepository {
  get(name: string): Promise<GroupRecord | null>;
  /**
   * Creates the group and marks its nodes as members in one transaction. Fails with a
   * ConflictError when the name is taken or a node already belongs to a group.
   */
  create(record: GroupRecord, index: GroupIndex): Promise<void>;
  /**
   * Replaces the group if its stored version is still `expectedVersion`; else
   * VersionConflictError. With `outbox` (only when `Ports.outbox` is set), the decision's
   * history lines and events are written in the same transaction (lambdas/app/outbox.ts).
   */
  save(record: GroupRecord, expectedVersion: number, index: GroupIndex, outbox?: OutboxRecord): Promise<void>;
  /**
   * Deletes the group and frees its nodes, if its version is still `expectedVersion`.
   * `audit` (an admin action's record, app/audit.ts) is written in the same transaction;
   * likewise for every repository method below that takes one.
   */
  remove(record: GroupRecord, audit?: OutboxRecord): Promise<void>;
  list(namePrefix: string): Promise<GroupRecord[]>;
  /** One page of the groups whose name starts with `namePrefix`, in a stable order. */
  page(namePrefix: string, request: PageRequest): Promise<Page<GroupRecord>>;
  /** The groups of these names that exist, read together in batches. */
  getMany(names: readonly string[]): Promise<GroupRecord[]>;
  listByCluster(clusterId: string): Promise<GroupRecord[]>;
  /**
   * The groups that need an operator's eye (`needsAttention` in the core), read through a
   * sparse index that steady heartbeats never write: O(such groups), never the fleet.
   */
  needingAttention(): Promise<GroupRecord[]>;
  /** Names of the groups with a timer or a pair silence due at `now`. */
  due(now: number): Promise<string[]>;
  /** The heartbeat's one conditional write; see `isSteadyHeartbeat` in the core. */
  steadyHeartbeat(write: SteadyHeartbeatWrite): Promise<SteadyHeartbeatOutcome>;
}

export interface NodeRepository {
  /** ConflictError when the node id is taken. */
  create(node: NodeRecord, audit?: OutboxRecord): Promise<void>;
  get(nodeId: string): Promise<NodeRecord | null>;
  list(): Promise<NodeRecord[]>;
  /** One page of the registered nodes, in a stable order. */
  page(request: PageRequest): Promise<Page<NodeRecord>>;
  /** The nodes of these ids that exist, read together (a page's worth at most). */
  getMany(nodeIds: readonly string[]): Promise<NodeRecord[]>;
  listByCluster(clusterId: string): Promise<NodeRecord[]>;
  /** ConflictError while it is in a group or users have it as home. */
  remove(nodeId: string, audit?: OutboxRecord): Promise<void>;
  /**
   * Replaces the node's token hash, and its group's copy (bumping the group's version so
   * no decision in flight can write the old copy back), in one transaction, if the node is
   * still in `group` (null: in none) and its token generation is still `generation.from`
   * (null: none stored), moving it to `generation.to`. ConflictError when either changed
   * meanwhile (so of two concurrent rotations exactly one wins).
   */
  rotateTokenHash(
    nodeId: string,
    group: string | null,
    tokenHash: string,
    generation: { from: number | null; to: number },
    audit?: OutboxRecord,
  ): Promise<void>;
  setParameters(nodeId: string, parameters: NodeRecord['parameters'], audit?: OutboxRecord): Promise<void>;
  recordHeartbeat(nodeId: string, heartbeat: LastHeartbeat): Promise<void>;
}

/**
 * What must still hold when a user is written: none of these groups (every group of the
 * user's cluster) is in a failover state (`inFailoverState`). Checked inside the user's
 * own write, so that a failover starting after the use case looked cannot let a user in.
 */
export interface UserAdmission {
  groups: string[];
}

export interface UserRepository {
  /**
   * Puts the user and counts it on its home node, in one transaction that also checks
   * `admission`; ConflictError ALREADY_EXISTS when the user exists, FAILOVER_IN_PROGRESS
   * when one of the groups is in a failover state by then.
   */
  create(user: UserRecord, admission: UserAdmission, audit?: OutboxRecord): Promise<void>;
  get(userId: string): Promise<UserRecord | null>;
  remove(user: UserRecord, audit?: OutboxRecord): Promise<void>;
  /** Moves the user's home, moving the counts with it, if its home is still `user.homeNode`. */
  setHome(user: UserRecord, homeNode: string | null, audit?: OutboxRecord): Promise<void>;
  /** Up to `limit` users whose home is `nodeId`. */
  listByHome(nodeId: string, limit: number): Promise<string[]>;
  /** One page of the users, of every home or (`homeNode`) of one, in a stable order. */
  page(filter: { homeNode?: string }, request: PageRequest): Promise<Page<UserRecord>>;
}

export interface SettingsRepository {
  clusterParameters(clusterId: string): Promise<ClusterParameters>;
  /** Stored parameters with their version, or null when the cluster uses the defaults. */
  clusterParametersRecord(
    clusterId: string,
  ): Promise<{ parameters: ClusterParameters; version: number } | null>;
  saveClusterParameters(
    clusterId: string,
    parameters: ClusterParameters,
    expectedVersion: number,
    audit?: OutboxRecord,
  ): Promise<void>;
  enterprise(): Promise<EnterpriseRecord>;
  saveEnterprise(record: EnterpriseRecord, audit?: OutboxRecord): Promise<void>;
}

export interface HistoryRepository {
  /** `version`: the group's version the lines were decided at, which orders and separates them. */
  append(group: string, entries: HistoryEntry[], version: number): Promise<void>;
  /** Newest first. */
  list(group: string, limit: number): Promise<HistoryEntry[]>;
  /** One page of the group's history, newest first. */
  page(group: string, request: PageRequest): Promise<Page<HistoryEntry>>;
}

/** What a workflow execution starts with (the contract of `statemachines/*.asl.json`). */
export interface WorkflowInput {
  group: string;
  operationId: string;
  /** REHOME runs outside the group's state machine (see app/rehome.ts). */
  workflow: WorkflowKind | 'AUTO_FALLBACK' | 'REHOME';
  fromNode: string;
  toNode: string;
  waitSeconds?: number;
}

export interface WorkflowStarter {
  /** Starts the workflow; starting the same operation twice starts it once. */
  start(input: WorkflowInput): Promise<void>;
}

export interface EventPublisher {
  /** `ids`: one idempotency key per event (docs/events.md), when the events come from the outbox. */
  publish(events: PublishedEvent[], ids?: readonly string[]): Promise<void>;
}

export interface Clock {
  now(): number;
}

/** Whether storage answers: what readiness reports. */
export interface StorageProbe {
  /** Resolves when storage answered a trivial read; rejects with why it did not. */
  check(): Promise<void>;
}

/**
 * Signs and checks the cursors of paged lists, so a client cannot hand back a storage key
 * of its own making. Keyed per deployment: on DynamoDB the key is an item of the settings
 * table (lambdas/adapters/dynamodb/cursorKey.ts).
 */
export interface CursorSigner {
  /** The MAC of `payload`, as base64url. */
  sign(payload: string): Promise<string>;
  /**
   * Whether `signature` is the MAC of `payload` under a key this signer accepts. Never
   * writes: a refused request leaves storage as it was.
   */
  verify(payload: string, signature: string): Promise<boolean>;
}

/**
 * The deployment's node token keys (docs/threat-model.md): on AWS a Secrets Manager
 * secret read through the Lambda extension and cached; offline a key of the embedded default.
 */
export interface NodeTokenKeys {
  keyRing(): Promise<NodeTokenKeyRing>;
}

/** Everything the use cases need from the outside world. */
export interface Ports {
  groups: GroupRepository;
  nodes: NodeRepository;
  users: UserRepository;
  settings: SettingsRepository;
  history: HistoryRepository;
  workflows: WorkflowStarter;
  events: EventPublisher;
  clock: Clock;
  storage: StorageProbe;
  cursors: CursorSigner;
  nodeTokens: NodeTokenKeys;
  log: OperatorLog;
  metrics: OperatorMetrics;
  /**
   * The outbox of group decisions: when set, `groups.save` writes history and events with
   * the state and the sweep relays what was not published. Unset (in-memory ports), they
   * are written after the state, as before.
   */
  outbox?: OutboxStore;
}

/** Numbers operators alarm on (Powertools Metrics satisfies it through a thin wrapper). */
export interface OperatorMetrics {
  count(name: 'Failovers' | 'Fallbacks' | 'Recoveries' | 'FailedOperations', value?: number): void;
  /** How long after a node's last heartbeat, or its first fault report, its failover started. */
  seconds(name: 'DetectionLatency', value: number): void;
}

/** Structured log lines for operators (Powertools Logger satisfies it). */
export interface OperatorLog {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}
