/**
 * The Lambda functions, HTTP routes and Step Functions workflows of presence-ha as plain
 * data. The CDK stack (`lib/`) deploys exactly these, and the embedded default
 * (`local/`) serves and runs exactly these, so the two cannot drift apart.
 */
import type { TableId } from '../adapters/dynamodb/tables';

/** Who may call a route: nobody in particular, readers (or admins), admins, or the node itself. */
export type RouteAuth = 'none' | 'read' | 'admin' | 'node';

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

export type WorkflowId = 'TAKE_OVER' | 'FALL_BACK' | 'RECOVER' | 'AUTO_FALLBACK';

export interface FunctionDefinition {
  readonly id: FunctionId;
  /** Entry file under `lambdas/handlers/`, exporting `handler`. */
  readonly entry: string;
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

const MUTATES_GROUPS = {
  reads: ['settings'],
  writes: ['groups', 'nodes', 'history'],
  publishes: true,
  starts: ['TAKE_OVER', 'FALL_BACK', 'RECOVER', 'AUTO_FALLBACK'],
} as const satisfies Pick<FunctionDefinition, 'reads' | 'writes' | 'publishes' | 'starts'>;

export const FUNCTIONS: Readonly<Record<FunctionId, FunctionDefinition>> = {
  public: {
    id: 'public',
    entry: 'public.ts',
    description: 'Health check and the OpenAPI document',
    reads: [],
    writes: [],
    publishes: false,
    starts: [],
    memoryMiB: 256,
    timeoutSeconds: 5,
  },
  nodes: {
    id: 'nodes',
    entry: 'nodes.ts',
    description: 'Node registration, listing, token rotation, per-node parameters',
    reads: ['settings'],
    writes: ['nodes', 'groups'],
    publishes: false,
    starts: [],
    memoryMiB: 512,
    timeoutSeconds: 10,
  },
  groups: {
    id: 'groups',
    entry: 'groups.ts',
    description:
      'Presence redundancy groups: create, find, show, update (enable/disable HA), delete, history',
    ...MUTATES_GROUPS,
    memoryMiB: 512,
    timeoutSeconds: 10,
  },
  groupActions: {
    id: 'groupActions',
    entry: 'groupActions.ts',
    description: 'Manual failover, fallback and recovery',
    ...MUTATES_GROUPS,
    memoryMiB: 512,
    timeoutSeconds: 10,
  },
  parameters: {
    id: 'parameters',
    entry: 'parameters.ts',
    description: 'Cluster-wide and enterprise parameters',
    reads: [],
    writes: ['settings'],
    publishes: false,
    starts: [],
    memoryMiB: 256,
    timeoutSeconds: 10,
  },
  users: {
    id: 'users',
    entry: 'users.ts',
    description: 'Users, their home node and the sync agent assignment',
    reads: ['groups', 'settings'],
    writes: ['users', 'nodes'],
    publishes: false,
    starts: [],
    memoryMiB: 512,
    // Under API Gateway's 30 s integration limit; a large rebalance continues on the next call.
    timeoutSeconds: 29,
  },
  heartbeat: {
    id: 'heartbeat',
    entry: 'heartbeat.ts',
    description: 'Node heartbeats: one conditional write in the steady state',
    ...MUTATES_GROUPS,
    memoryMiB: 512,
    timeoutSeconds: 10,
  },
  sweep: {
    id: 'sweep',
    entry: 'sweep.ts',
    description: 'Every minute: silent pairs, expired timers, due automatic fallbacks, lost workflow starts',
    ...MUTATES_GROUPS,
    memoryMiB: 512,
    timeoutSeconds: 60,
  },
  workflowTask: {
    id: 'workflowTask',
    entry: 'workflowTask.ts',
    description: 'The steps of the failover, fallback, recovery and automatic-fallback workflows',
    ...MUTATES_GROUPS,
    memoryMiB: 512,
    timeoutSeconds: 30,
  },
};

export const FUNCTION_IDS = Object.keys(FUNCTIONS) as FunctionId[];

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteDefinition {
  readonly method: HttpMethod;
  /** API Gateway HTTP API path, `{param}` for path parameters. */
  readonly path: string;
  readonly function: FunctionId;
  readonly auth: RouteAuth;
  readonly summary: string;
  /** Served only by the embedded default (on AWS, subscribe to the event bus). */
  readonly localOnly?: true;
}

/** Every route of SPEC §4. The route key `${method} ${path}` is what handlers dispatch on. */
export const ROUTES: readonly RouteDefinition[] = [
  { method: 'GET', path: '/v1/health', function: 'public', auth: 'none', summary: 'Readiness' },
  {
    method: 'GET',
    path: '/v1/openapi.json',
    function: 'public',
    auth: 'none',
    summary: 'This API as OpenAPI 3.1',
  },
  { method: 'POST', path: '/v1/nodes', function: 'nodes', auth: 'admin', summary: 'Register a node' },
  { method: 'GET', path: '/v1/nodes', function: 'nodes', auth: 'read', summary: 'List nodes' },
  { method: 'GET', path: '/v1/nodes/{nodeId}', function: 'nodes', auth: 'read', summary: 'Show a node' },
  {
    method: 'DELETE',
    path: '/v1/nodes/{nodeId}',
    function: 'nodes',
    auth: 'admin',
    summary: 'Delete a node',
  },
  {
    method: 'POST',
    path: '/v1/nodes/{nodeId}/token',
    function: 'nodes',
    auth: 'admin',
    summary: "Rotate a node's token",
  },
  {
    method: 'GET',
    path: '/v1/nodes/{nodeId}/parameters',
    function: 'nodes',
    auth: 'read',
    summary: 'Per-node parameters',
  },
  {
    method: 'PATCH',
    path: '/v1/nodes/{nodeId}/parameters',
    function: 'nodes',
    auth: 'admin',
    summary: 'Change per-node parameters',
  },
  {
    method: 'POST',
    path: '/v1/nodes/{nodeId}/heartbeat',
    function: 'heartbeat',
    auth: 'node',
    summary: "A node's heartbeat",
  },
  { method: 'POST', path: '/v1/groups', function: 'groups', auth: 'admin', summary: 'Create a group' },
  {
    method: 'GET',
    path: '/v1/groups',
    function: 'groups',
    auth: 'read',
    summary: 'Find groups by name prefix',
  },
  { method: 'GET', path: '/v1/groups/{name}', function: 'groups', auth: 'read', summary: 'Show a group' },
  {
    method: 'PATCH',
    path: '/v1/groups/{name}',
    function: 'groups',
    auth: 'admin',
    summary: 'Update a group',
  },
  {
    method: 'DELETE',
    path: '/v1/groups/{name}',
    function: 'groups',
    auth: 'admin',
    summary: 'Delete a group',
  },
  {
    method: 'GET',
    path: '/v1/groups/{name}/history',
    function: 'groups',
    auth: 'read',
    summary: 'State changes, newest first',
  },
  {
    method: 'POST',
    path: '/v1/groups/{name}/failover',
    function: 'groupActions',
    auth: 'admin',
    summary: 'Fail a node over to its peer',
  },
  {
    method: 'POST',
    path: '/v1/groups/{name}/fallback',
    function: 'groupActions',
    auth: 'admin',
    summary: 'Fall back to a node',
  },
  {
    method: 'POST',
    path: '/v1/groups/{name}/recover',
    function: 'groupActions',
    auth: 'admin',
    summary: 'Recover a failed group',
  },
  {
    method: 'GET',
    path: '/v1/clusters/{clusterId}/parameters',
    function: 'parameters',
    auth: 'read',
    summary: 'Cluster-wide parameters',
  },
  {
    method: 'PATCH',
    path: '/v1/clusters/{clusterId}/parameters',
    function: 'parameters',
    auth: 'admin',
    summary: 'Change cluster-wide parameters',
  },
  {
    method: 'GET',
    path: '/v1/enterprise-parameters',
    function: 'parameters',
    auth: 'read',
    summary: 'Enterprise parameters',
  },
  {
    method: 'PUT',
    path: '/v1/enterprise-parameters',
    function: 'parameters',
    auth: 'admin',
    summary: 'Set enterprise parameters',
  },
  { method: 'POST', path: '/v1/users', function: 'users', auth: 'admin', summary: 'Add a user' },
  { method: 'GET', path: '/v1/users/{userId}', function: 'users', auth: 'read', summary: 'Show a user' },
  {
    method: 'PUT',
    path: '/v1/users/{userId}/home',
    function: 'users',
    auth: 'admin',
    summary: "Set a user's home node",
  },
  {
    method: 'DELETE',
    path: '/v1/users/{userId}',
    function: 'users',
    auth: 'admin',
    summary: 'Delete a user',
  },
  {
    method: 'POST',
    path: '/v1/clusters/{clusterId}/rebalance',
    function: 'users',
    auth: 'admin',
    summary: "Re-run the sync agent's assignment",
  },
  {
    method: 'GET',
    path: '/v1/events',
    function: 'public',
    auth: 'read',
    summary: 'Events as server-sent events (embedded default only)',
    localOnly: true,
  },
];

export const routeKey = (r: Pick<RouteDefinition, 'method' | 'path'>): string => `${r.method} ${r.path}`;

export interface WorkflowDefinition {
  readonly id: WorkflowId;
  /** File under `statemachines/`. */
  readonly file: string;
  /** Suffix of the state machine's name, `${stackName}-${nameSuffix}`, fixed so ARNs need no cross-reference. */
  readonly nameSuffix: string;
  /** Environment variable through which handlers learn the state machine ARN. */
  readonly envVar: string;
  readonly description: string;
}

/**
 * The workflows. Each ASL file names its Lambda task resource `${WorkflowTaskFunctionArn}`,
 * substituted by CDK and bound to the same handler in-process by the embedded default.
 */
export const WORKFLOWS: Readonly<Record<WorkflowId, WorkflowDefinition>> = {
  TAKE_OVER: {
    id: 'TAKE_OVER',
    file: 'take-over.asl.json',
    nameSuffix: 'take-over',
    envVar: 'STATE_MACHINE_TAKE_OVER_ARN',
    description: "Taking Over: move a node's users to its peer",
  },
  FALL_BACK: {
    id: 'FALL_BACK',
    file: 'fall-back.asl.json',
    nameSuffix: 'fall-back',
    envVar: 'STATE_MACHINE_FALL_BACK_ARN',
    description:
      'Falling Back / Taking Back: wait for the node to run its critical services, then move its users home',
  },
  RECOVER: {
    id: 'RECOVER',
    file: 'recover.asl.json',
    nameSuffix: 'recover',
    envVar: 'STATE_MACHINE_RECOVER_ARN',
    description: 'Recovery: every user returns to its home node while both nodes restart',
  },
  AUTO_FALLBACK: {
    id: 'AUTO_FALLBACK',
    file: 'auto-fallback.asl.json',
    nameSuffix: 'auto-fallback',
    envVar: 'STATE_MACHINE_AUTO_FALLBACK_ARN',
    description:
      'Automatic Fallback: wait automaticFallbackDelay, then re-check and fall back if still healthy',
  },
};

export const WORKFLOW_IDS = Object.keys(WORKFLOWS) as WorkflowId[];

/** Environment variable of the event bus name. */
export const EVENT_BUS_ENV = 'EVENT_BUS_NAME';
/** Source of every event on the bus (SPEC §6). */
export const EVENT_SOURCE = 'presence-ha';
