/**
 * The Lambda functions of presence-ha as data: what each serves, what it may touch, its
 * size. The CDK stack deploys exactly these and the embedded default runs the same
 * handlers, so the two cannot drift apart. Each function's entry file is derived from its
 * id (`lambdas/entries/<id>.ts`), never written twice.
 */
import type { TableId } from './tables';
import { WORKFLOW_IDS, type WorkflowId } from './workflows';

export type FunctionId =
  | 'public'
  | 'nodes'
  | 'groups'
  | 'groupActions'
  | 'parameters'
  | 'users'
  | 'heartbeat'
  | 'sweep'
  | 'workflowTask';

export interface FunctionDefinition {
  readonly id: FunctionId;
  readonly description: string;
  /** Tables it reads only, and tables it reads and writes: the IAM grants, no more. */
  readonly reads: readonly TableId[];
  readonly writes: readonly TableId[];
  /** Publishes on the event bus. */
  readonly publishes: boolean;
  /** Workflows it starts. */
  readonly starts: readonly WorkflowId[];
  readonly memoryMiB: number;
  readonly timeoutSeconds: number;
}

/** The entry file of a function, relative to the repository root: what CDK bundles. */
export const functionEntry = (id: FunctionId): string => `lambdas/entries/${id}.ts`;

/** Every function that decides a group's state writes the group, its nodes and history, and may start any workflow. */
const MUTATES_GROUPS = {
  reads: ['settings'],
  writes: ['groups', 'nodes', 'history'],
  publishes: true,
  starts: WORKFLOW_IDS,
} as const satisfies Pick<FunctionDefinition, 'reads' | 'writes' | 'publishes' | 'starts'>;

const fn = (id: FunctionId, rest: Omit<FunctionDefinition, 'id'>): FunctionDefinition => ({ id, ...rest });

export const FUNCTIONS: Readonly<Record<FunctionId, FunctionDefinition>> = {
  public: fn('public', {
    description: 'Readiness (storage answers) and the OpenAPI document',
    // Readiness reads one (absent) settings item.
    reads: ['settings'],
    writes: [],
    publishes: false,
    starts: [],
    memoryMiB: 256,
    timeoutSeconds: 5,
  }),
  nodes: fn('nodes', {
    description: 'Node registration, listing, token rotation, per-node parameters',
    reads: [],
    // settings: the list cursors' signing key, made by the first list that needs one.
    // history and the bus: each admin action's record (its outbox item and audit line).
    writes: ['nodes', 'groups', 'settings', 'history'],
    publishes: true,
    starts: [],
    memoryMiB: 512,
    timeoutSeconds: 10,
  }),
  groups: fn('groups', {
    description:
      'Presence redundancy groups: create, find, show, update (enable/disable HA), delete, history',
    ...MUTATES_GROUPS,
    // settings: the list cursors' signing key, made by the first list that needs one.
    reads: [],
    writes: [...MUTATES_GROUPS.writes, 'settings'],
    memoryMiB: 512,
    timeoutSeconds: 10,
  }),
  groupActions: fn('groupActions', {
    description: 'Manual failover, fallback and recovery',
    ...MUTATES_GROUPS,
    memoryMiB: 512,
    timeoutSeconds: 10,
  }),
  parameters: fn('parameters', {
    description: 'Cluster-wide and enterprise parameters',
    reads: [],
    // groups: a change re-judges the cluster's groups at once; history and the bus: each
    // change's record (its outbox item and audit line), and the re-judged groups' events.
    writes: ['settings', 'groups', 'history'],
    publishes: true,
    starts: [],
    memoryMiB: 256,
    timeoutSeconds: 10,
  }),
  users: fn('users', {
    description: 'Users, their home node and the sync agent assignment',
    reads: ['groups'],
    // settings: the list cursors' signing key, made by the first list that needs one.
    // history and the bus: each admin action's record (its outbox item and audit line).
    writes: ['users', 'nodes', 'settings', 'history'],
    publishes: true,
    starts: [],
    memoryMiB: 512,
    // Under API Gateway's 30 s integration limit; a large rebalance continues on the next call.
    timeoutSeconds: 29,
  }),
  heartbeat: fn('heartbeat', {
    description: 'Node heartbeats: one conditional write in the steady state',
    ...MUTATES_GROUPS,
    memoryMiB: 512,
    timeoutSeconds: 10,
  }),
  sweep: fn('sweep', {
    description: 'Every minute: silent pairs, expired timers, due automatic fallbacks, lost workflow starts',
    ...MUTATES_GROUPS,
    memoryMiB: 512,
    timeoutSeconds: 60,
  }),
  workflowTask: fn('workflowTask', {
    description: 'The steps of the failover, fallback, recovery, automatic-fallback and re-home workflows',
    ...MUTATES_GROUPS,
    // The re-home workflow moves users' homes (and their nodes' counts).
    writes: [...MUTATES_GROUPS.writes, 'users'],
    memoryMiB: 512,
    timeoutSeconds: 30,
  }),
};

export const FUNCTION_IDS = Object.keys(FUNCTIONS) as FunctionId[];

/**
 * Set to `sdk` on the heartbeat or public function (stack context `sdkDynamoDb=true`), its
 * DynamoDB calls go through the AWS SDK instead of the small signed HTTP client
 * (lambdas/adapters/dynamodb/wire): the way back, without a code change, should AWS ever
 * refuse that client's requests. The SDK is then loaded on the first call.
 */
export const DYNAMODB_CLIENT_ENV = 'PRG_DYNAMODB_CLIENT';
