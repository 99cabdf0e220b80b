import { OpenAPIRegistry, OpenApiGeneratorV31, extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import * as z from 'zod';
import { PATH_PARAMETERS, ROUTE_LIST } from './routes';
import { ProblemSchema } from './responses';

// The registry needs zod's `.openapi()`; this adds it to every schema, the core's included.
// It only touches ZodType's prototype: handing it that alone keeps zod's namespace (and
// its 258 KiB of locales) out of the Lambda bundle.
extendZodWithOpenApi({ ZodType: z.ZodType } as unknown as Parameters<typeof extendZodWithOpenApi>[0]);

// Registering a component needs `.openapi()`, which only schemas built after the
// extension have: a copy of the problem schema, built here, is the registered one.
const DocumentedProblemSchema = z.object(ProblemSchema.shape);

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: DocumentedProblemSchema } },
});

/** Scopes of the bearer token a route needs, as the document states them. */
const SCOPES = { read: ['prg/read'], admin: ['prg/admin'], node: [] } as const;

let cached: Record<string, unknown> | null = null;

/**
 * The OpenAPI 3.1 document of the API, generated from the route table: every request and
 * every successful answer is described by the schema the code validates or answers with.
 */
export function openApiDocument(): Record<string, unknown> {
  if (cached) return cached;
  const registry = new OpenAPIRegistry();
  registry.register('Problem', DocumentedProblemSchema);
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT or node token',
  });
  for (const r of ROUTE_LIST) {
    const spec = r.spec;
    const success = spec.stream
      ? { description: 'Server-sent events', content: { 'text/event-stream': { schema: z.string() } } }
      : spec.response
        ? { description: 'OK', content: { 'application/json': { schema: spec.response } } }
        : { description: 'Done; no body' };
    registry.registerPath({
      method: r.method.toLowerCase() as Lowercase<typeof r.method>,
      path: r.path,
      operationId: r.key.replace(/[^A-Za-z0-9]+/g, '_').replace(/_$/, ''),
      summary: spec.summary,
      ...(spec.auth === 'none' ? {} : { security: [{ bearer: [...SCOPES[spec.auth]] }] }),
      request: {
        ...(r.params.length > 0
          ? { params: z.object(Object.fromEntries(r.params.map((p) => [p, PATH_PARAMETERS[p]]))) }
          : {}),
        ...(spec.query ? { query: spec.query } : {}),
        ...(spec.body
          ? {
              body: {
                required: !spec.body.safeParse(undefined).success,
                content: { 'application/json': { schema: spec.body } },
              },
            }
          : {}),
      },
      responses: {
        [spec.status]: success,
        ...(spec.dryRun
          ? {
              200: {
                description: 'Dry run (`"dryRun": true`): what would happen; nothing was changed',
                content: { 'application/json': { schema: spec.dryRun } },
              },
            }
          : {}),
        ...(spec.auth === 'none'
          ? {}
          : { 401: problem('No valid token'), 403: problem('Wrong scope or wrong node') }),
        400: problem('Invalid input; `errors` names each field'),
        ...(r.params.length > 0 ? { 404: problem('Unknown resource') } : {}),
        ...(r.method === 'GET'
          ? {}
          : { 409: problem('Conflicts with the current state; `states` shows them') }),
        ...(spec.body ? { 413: problem('Body over 256 KiB') } : {}),
        503: problem('Storage did not answer; nothing was changed; retry'),
      },
    });
  }
  cached = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'presence-ha',
      version: '1',
      description: 'Admin and heartbeat API of the presence-ha control plane (docs/api.md).',
    },
  }) as unknown as Record<string, unknown>;
  return cached;
}
