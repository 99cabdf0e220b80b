import { OpenAPIRegistry, OpenApiGeneratorV31, extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  ClusterIdSchema,
  ClusterParametersPatchSchema,
  CreateGroupBodySchema,
  CreateUserBodySchema,
  EnterpriseParametersSchema,
  GroupNameSchema,
  GroupsQuerySchema,
  HeartbeatBodySchema,
  HistoryQuerySchema,
  NodeActionBodySchema,
  NodeIdSchema,
  NodeParametersPatchSchema,
  RegisterNodeBodySchema,
  SetHomeBodySchema,
  UpdateGroupBodySchema,
  UserIdSchema,
} from '../core';
import { ROUTES, routeKey, type RouteDefinition } from './definitions';

// The registry needs zod's `.openapi()`; this adds it to every schema, the core's included.
extendZodWithOpenApi(z);

/** The request schemas of each route, the same ones the handlers validate with. */
const REQUESTS: Record<string, { body?: z.ZodType; query?: z.ZodObject }> = {
  'POST /v1/nodes': { body: RegisterNodeBodySchema },
  'PATCH /v1/nodes/{nodeId}/parameters': { body: NodeParametersPatchSchema },
  'POST /v1/nodes/{nodeId}/heartbeat': { body: HeartbeatBodySchema },
  'POST /v1/groups': { body: CreateGroupBodySchema },
  'GET /v1/groups': { query: GroupsQuerySchema },
  'PATCH /v1/groups/{name}': { body: UpdateGroupBodySchema },
  'GET /v1/groups/{name}/history': { query: HistoryQuerySchema },
  'POST /v1/groups/{name}/failover': { body: NodeActionBodySchema },
  'POST /v1/groups/{name}/fallback': { body: NodeActionBodySchema },
  'PATCH /v1/clusters/{clusterId}/parameters': { body: ClusterParametersPatchSchema },
  'PUT /v1/enterprise-parameters': { body: EnterpriseParametersSchema },
  'POST /v1/users': { body: CreateUserBodySchema },
  'PUT /v1/users/{userId}/home': { body: SetHomeBodySchema },
};

const PATH_PARAMS: Record<string, z.ZodType> = {
  nodeId: NodeIdSchema,
  name: GroupNameSchema,
  clusterId: ClusterIdSchema,
  userId: UserIdSchema,
};

const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  code: z.string().optional(),
  states: z
    .array(z.object({ nodeId: z.string(), state: z.string().nullable(), reason: z.string().nullable() }))
    .optional(),
});

const SUCCESS: Record<RouteDefinition['method'], number> = {
  GET: 200,
  POST: 200,
  PUT: 200,
  PATCH: 200,
  DELETE: 204,
};

function successStatus(r: RouteDefinition): number {
  if (r.path.endsWith('/failover') || r.path.endsWith('/fallback') || r.path.endsWith('/recover')) return 202;
  if (r.path.endsWith('/rebalance')) return 202;
  if (r.method === 'POST' && (r.path === '/v1/nodes' || r.path === '/v1/groups' || r.path === '/v1/users'))
    return 201;
  return SUCCESS[r.method];
}

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ProblemSchema } },
});

let cached: object | null = null;

/** The OpenAPI 3.1 document of the API, generated from the route table and the zod schemas. */
export function openApiDocument(): object {
  if (cached) return cached;
  const registry = new OpenAPIRegistry();
  registry.register('Problem', ProblemSchema);
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
  for (const r of ROUTES) {
    const request = REQUESTS[routeKey(r)] ?? {};
    const params = [...r.path.matchAll(/\{(\w+)\}/g)].flatMap((m) => (m[1] ? [m[1]] : []));
    const status = successStatus(r);
    registry.registerPath({
      method: r.method.toLowerCase() as 'get',
      path: r.path,
      summary: r.summary,
      ...(r.auth === 'none' ? {} : { security: [{ bearer: r.auth === 'node' ? [] : [`prg/${r.auth}`] }] }),
      request: {
        ...(params.length > 0
          ? { params: z.object(Object.fromEntries(params.map((p) => [p, PATH_PARAMS[p] ?? z.string()]))) }
          : {}),
        ...(request.query ? { query: request.query } : {}),
        ...(request.body
          ? { body: { required: true, content: { 'application/json': { schema: request.body } } } }
          : {}),
      },
      responses: {
        [status]:
          status === 204
            ? { description: 'Done' }
            : { description: 'OK', content: { 'application/json': { schema: z.object({}).loose() } } },
        ...(r.auth === 'none'
          ? {}
          : { 401: problem('No valid token'), 403: problem('Wrong scope or wrong node') }),
        400: problem('Invalid input; `errors` names each field'),
        ...(params.length > 0 ? { 404: problem('Unknown resource') } : {}),
        ...(r.method === 'GET'
          ? {}
          : { 409: problem('Conflicts with the current state; `states` shows them') }),
        ...(request.body ? { 413: problem('Body over 256 KiB') } : {}),
      },
    });
  }
  cached = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'presence-ha',
      version: '1',
      description: 'Admin and heartbeat API of the presence-ha control plane (SPEC §4).',
    },
  });
  return cached;
}
