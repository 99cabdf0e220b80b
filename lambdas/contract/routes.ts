/**
 * The route table: one entry per HTTP route, and everything else about routes is derived
 * from it — API Gateway routes and authorizer scopes (CDK), the embedded default's
 * dispatch, each function's typed dispatch map, the OpenAPI document and the typed client.
 * It imports no handler code, so a Lambda bundle holds only its own handlers.
 */
import type { z } from 'zod';
import {
  ClusterIdSchema,
  ClusterParametersPatchSchema,
  CreateGroupBodySchema,
  CreateUserBodySchema,
  EnterpriseParametersSchema,
  GroupNameSchema,
  HeartbeatBodySchema,
  MaintenanceBodySchema,
  NodeActionBodySchema,
  NodeIdSchema,
  NodeParametersPatchSchema,
  RehomeBodySchema,
  RecoverBodySchema,
  RegisterNodeBodySchema,
  SetHomeBodySchema,
  UpdateGroupBodySchema,
  UserIdSchema,
} from '../core';
import type { FunctionId } from './functions';
import { GroupsPageQuerySchema, HistoryPageQuerySchema, NodesQuerySchema, UsersQuerySchema } from './paging';
import {
  ClusterParametersViewSchema,
  EnterpriseParametersViewSchema,
  GroupListSchema,
  GroupViewSchema,
  HealthSchema,
  HeartbeatAnswerSchema,
  HistorySchema,
  NodeListSchema,
  NodeParametersViewSchema,
  NodeViewSchema,
  OpenApiDocumentSchema,
  OperationAcceptedSchema,
  RebalanceSchema,
  RegisteredNodeSchema,
  RehomeAcceptedSchema,
  DryRunSchema,
  RotatedTokenSchema,
  UserListSchema,
  UserViewSchema,
} from './responses';

/** Who may call a route: anyone, readers (or admins), admins, or the node itself with its own token. */
export type RouteAuth = 'none' | 'read' | 'admin' | 'node';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteSpec {
  readonly function: FunctionId;
  readonly auth: RouteAuth;
  readonly summary: string;
  /** The status of a successful answer. */
  readonly status: 200 | 201 | 202 | 204;
  readonly body?: z.ZodType;
  readonly query?: z.ZodObject;
  /** The successful answer's body; absent for 204 and for streams. */
  readonly response?: z.ZodType;
  /**
   * The answer to a body with `"dryRun": true`: 200 with this schema instead of `status`
   * and `response`, and nothing changed.
   */
  readonly dryRun?: z.ZodType;
  /** Served only by the embedded default, as server-sent events (on AWS, subscribe to the event bus). */
  readonly stream?: true;
}

/** The schema of each path parameter, wherever it appears: a bad id is a 400 naming it, never a lookup. */
export const PATH_PARAMETERS = {
  nodeId: NodeIdSchema,
  name: GroupNameSchema,
  clusterId: ClusterIdSchema,
  userId: UserIdSchema,
} as const satisfies Record<string, z.ZodType>;
export type PathParameterName = keyof typeof PATH_PARAMETERS;

/** Every route of the API, keyed by `METHOD /path` as API Gateway names it. */
export const ROUTES = {
  'GET /v1/health': {
    function: 'public',
    auth: 'none',
    summary: 'Readiness: 200 while storage answers, 503 when it does not',
    status: 200,
    response: HealthSchema,
  },
  'GET /v1/openapi.json': {
    function: 'public',
    auth: 'none',
    summary: 'This API as OpenAPI 3.1',
    status: 200,
    response: OpenApiDocumentSchema,
  },
  'POST /v1/nodes': {
    function: 'nodes',
    auth: 'admin',
    summary: 'Register a node; the answer holds its token, shown once',
    status: 201,
    body: RegisterNodeBodySchema,
    response: RegisteredNodeSchema,
  },
  'GET /v1/nodes': {
    function: 'nodes',
    auth: 'read',
    summary: 'List nodes, a page at a time',
    status: 200,
    query: NodesQuerySchema,
    response: NodeListSchema,
  },
  'GET /v1/nodes/{nodeId}': {
    function: 'nodes',
    auth: 'read',
    summary: 'Show a node',
    status: 200,
    response: NodeViewSchema,
  },
  'DELETE /v1/nodes/{nodeId}': {
    function: 'nodes',
    auth: 'admin',
    summary: 'Delete a node (not while it is in a group or home to users)',
    status: 204,
  },
  'POST /v1/nodes/{nodeId}/token': {
    function: 'nodes',
    auth: 'admin',
    summary: "Rotate a node's token; the old one stops working at once",
    status: 200,
    response: RotatedTokenSchema,
  },
  'GET /v1/nodes/{nodeId}/parameters': {
    function: 'nodes',
    auth: 'read',
    summary: 'Per-node parameters',
    status: 200,
    response: NodeParametersViewSchema,
  },
  'PATCH /v1/nodes/{nodeId}/parameters': {
    function: 'nodes',
    auth: 'admin',
    summary: 'Change per-node parameters',
    status: 200,
    body: NodeParametersPatchSchema,
    response: NodeParametersViewSchema,
  },
  'POST /v1/nodes/{nodeId}/heartbeat': {
    function: 'heartbeat',
    auth: 'node',
    summary: "A node's heartbeat, with its own token; the answer carries its state and orders",
    status: 200,
    body: HeartbeatBodySchema,
    response: HeartbeatAnswerSchema,
  },
  'POST /v1/groups': {
    function: 'groups',
    auth: 'admin',
    summary: 'Create a group of two nodes',
    status: 201,
    body: CreateGroupBodySchema,
    response: GroupViewSchema,
  },
  'GET /v1/groups': {
    function: 'groups',
    auth: 'read',
    summary: 'Find groups by name prefix, a page at a time',
    status: 200,
    query: GroupsPageQuerySchema,
    response: GroupListSchema,
  },
  'GET /v1/groups/{name}': {
    function: 'groups',
    auth: 'read',
    summary: 'Show a group: each node with its state, reason, cause and recommended actions',
    status: 200,
    response: GroupViewSchema,
  },
  'PATCH /v1/groups/{name}': {
    function: 'groups',
    auth: 'admin',
    summary: 'Update a group: description, high availability on or off',
    status: 200,
    body: UpdateGroupBodySchema,
    response: GroupViewSchema,
  },
  'DELETE /v1/groups/{name}': {
    function: 'groups',
    auth: 'admin',
    summary: 'Delete a group',
    status: 204,
  },
  'PUT /v1/groups/{name}/maintenance': {
    function: 'groups',
    auth: 'admin',
    summary:
      'Start (or replace) a maintenance window: until `until` (at most 7 days ahead) no automatic failover or fallback starts',
    status: 200,
    body: MaintenanceBodySchema,
    response: GroupViewSchema,
  },
  'DELETE /v1/groups/{name}/maintenance': {
    function: 'groups',
    auth: 'admin',
    summary: 'End the maintenance window now (also when none is on); the group is judged at once',
    status: 204,
  },
  'GET /v1/groups/{name}/history': {
    function: 'groups',
    auth: 'read',
    summary: 'State changes, newest first, a page at a time',
    status: 200,
    query: HistoryPageQuerySchema,
    response: HistorySchema,
  },
  'POST /v1/groups/{name}/failover': {
    function: 'groupActions',
    auth: 'admin',
    summary: 'Fail a node over to its peer (`"dryRun": true`: show what would happen, 200)',
    status: 202,
    body: NodeActionBodySchema,
    response: OperationAcceptedSchema,
    dryRun: DryRunSchema,
  },
  'POST /v1/groups/{name}/fallback': {
    function: 'groupActions',
    auth: 'admin',
    summary: 'Fall back: move a node’s users home to it (`"dryRun": true`: show what would happen, 200)',
    status: 202,
    body: NodeActionBodySchema,
    response: OperationAcceptedSchema,
    dryRun: DryRunSchema,
  },
  'POST /v1/groups/{name}/recover': {
    function: 'groupActions',
    auth: 'admin',
    summary:
      'Recover a group whose nodes are Running in Failed Mode (`{"dryRun": true}`: show what would happen, 200)',
    status: 202,
    body: RecoverBodySchema,
    response: OperationAcceptedSchema,
    dryRun: DryRunSchema,
  },
  'POST /v1/groups/{name}/rehome': {
    function: 'groupActions',
    auth: 'admin',
    summary:
      'Give the users of a failed-over node that will not come back its peer as their home (a workflow), so the group can be deleted or the node replaced',
    status: 202,
    body: RehomeBodySchema,
    response: RehomeAcceptedSchema,
  },
  'GET /v1/clusters/{clusterId}/parameters': {
    function: 'parameters',
    auth: 'read',
    summary: 'Cluster-wide parameters',
    status: 200,
    response: ClusterParametersViewSchema,
  },
  'PATCH /v1/clusters/{clusterId}/parameters': {
    function: 'parameters',
    auth: 'admin',
    summary: 'Change cluster-wide parameters; every group of the cluster is judged again at once',
    status: 200,
    body: ClusterParametersPatchSchema,
    response: ClusterParametersViewSchema,
  },
  'GET /v1/enterprise-parameters': {
    function: 'parameters',
    auth: 'read',
    summary: 'Enterprise parameters',
    status: 200,
    response: EnterpriseParametersViewSchema,
  },
  'PUT /v1/enterprise-parameters': {
    function: 'parameters',
    auth: 'admin',
    summary: 'Set enterprise parameters',
    status: 200,
    body: EnterpriseParametersSchema,
    response: EnterpriseParametersViewSchema,
  },
  'POST /v1/users': {
    function: 'users',
    auth: 'admin',
    summary: 'Add a user; the sync agent chooses its home node',
    status: 201,
    body: CreateUserBodySchema,
    response: UserViewSchema,
  },
  'GET /v1/users': {
    function: 'users',
    auth: 'read',
    summary: 'List users (all, or those whose home is ?node=), a page at a time',
    status: 200,
    query: UsersQuerySchema,
    response: UserListSchema,
  },
  'GET /v1/users/{userId}': {
    function: 'users',
    auth: 'read',
    summary: 'Show a user: home node, serving node, relogin window',
    status: 200,
    response: UserViewSchema,
  },
  'PUT /v1/users/{userId}/home': {
    function: 'users',
    auth: 'admin',
    summary: "Set a user's home node",
    status: 200,
    body: SetHomeBodySchema,
    response: UserViewSchema,
  },
  'DELETE /v1/users/{userId}': {
    function: 'users',
    auth: 'admin',
    summary: 'Delete a user',
    status: 204,
  },
  'POST /v1/clusters/{clusterId}/rebalance': {
    function: 'users',
    auth: 'admin',
    summary: "Re-run the sync agent's assignment (at most 500 moves a call; call again for the rest)",
    status: 202,
    response: RebalanceSchema,
  },
  'GET /v1/events': {
    function: 'public',
    auth: 'read',
    summary: 'Events as server-sent events (embedded default only)',
    status: 200,
    stream: true,
  },
} as const satisfies Record<`${HttpMethod} /${string}`, RouteSpec>;

export type RouteKey = keyof typeof ROUTES;
export type Route<K extends RouteKey = RouteKey> = (typeof ROUTES)[K];

/** The route keys a function serves. */
export type RouteKeyOf<F extends FunctionId> = {
  [K in RouteKey]: Route<K>['function'] extends F ? K : never;
}[RouteKey];

type ParamNames<P extends string> = P extends `${string}{${infer Name}}${infer Rest}`
  ? Name | ParamNames<Rest>
  : never;
/** The path parameters of a route, by name. */
export type PathOf<K extends RouteKey> = { [N in ParamNames<K>]: string };
/** The validated body of a route (undefined when it takes none). */
export type BodyOf<K extends RouteKey> =
  Route<K> extends { body: infer S extends z.ZodType } ? z.output<S> : undefined;
/** The body as a client sends it (defaults may be left out). */
export type BodyInputOf<K extends RouteKey> =
  Route<K> extends { body: infer S extends z.ZodType } ? z.input<S> : undefined;
export type QueryOf<K extends RouteKey> =
  Route<K> extends { query: infer S extends z.ZodType } ? z.output<S> : undefined;
export type QueryInputOf<K extends RouteKey> =
  Route<K> extends { query: infer S extends z.ZodType } ? z.input<S> : undefined;
/** The body of a successful answer; nothing (`void`) for 204 and streams. */
export type ResponseOf<K extends RouteKey> =
  // `void`, not `undefined`: a use case that answers nothing returns Promise<void>.
  Route<K> extends { response: infer S extends z.ZodType; dryRun: infer D extends z.ZodType }
    ? z.output<S> | z.output<D>
    : Route<K> extends { response: infer S extends z.ZodType }
      ? z.output<S>
      : // eslint-disable-next-line @typescript-eslint/no-invalid-void-type
        void;

export interface RouteDefinition {
  readonly key: RouteKey;
  readonly method: HttpMethod;
  readonly path: string;
  /** Path parameter names, in order. */
  readonly params: readonly PathParameterName[];
  readonly spec: RouteSpec;
}

const split = (key: RouteKey): { method: HttpMethod; path: string } => {
  const [method, path] = key.split(' ') as [HttpMethod, string];
  return { method, path };
};

/** The routes as a list, with method, path and parameter names split out of each key. */
export const ROUTE_LIST: readonly RouteDefinition[] = (Object.keys(ROUTES) as RouteKey[]).map((key) => {
  const { method, path } = split(key);
  const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as PathParameterName);
  return { key, method, path, params, spec: ROUTES[key] };
});

/** A route's definition by key. */
export function route(key: RouteKey): RouteDefinition {
  const found = ROUTE_LIST.find((r) => r.key === key);
  if (!found) throw new Error(`No route ${key} in the route table.`);
  return found;
}
