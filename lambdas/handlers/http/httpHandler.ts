import middy, { type MiddlewareObj } from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import * as z from 'zod';
import {
  PATH_PARAMETERS,
  ROUTE_LIST,
  type BodyOf,
  type FunctionId,
  type PathOf,
  type QueryOf,
  type ResponseOf,
  type Route,
  type RouteDefinition,
  type RouteKey,
  type RouteKeyOf,
} from '../../contract';
import { flushMetrics, logger, requestCorrelation } from '../observability';
import { authorize, bearerToken, type AuthContext } from './auth';
import { parse } from './parse';
import { frontOriginFromEnv, frontOriginGuard, type FrontOriginSource } from './routeAuthOrigin';
import { PayloadTooLargeError, problemResponse, toProblem } from './problem';

/** An API Gateway HTTP API (v2) event, with the JWT authorizer's context when there is one. */
export type HttpEvent = APIGatewayProxyEventV2 & AuthContext & { body?: unknown };

/** What a route's implementation gets: its path, query and body, already validated by the route's schemas. */
export interface RouteRequest<K extends RouteKey> {
  event: HttpEvent;
  path: PathOf<K>;
  query: QueryOf<K>;
  body: BodyOf<K>;
}

/** The routes a function answers itself (streams are the embedded server's). */
type AnsweredRouteKey<F extends FunctionId> = {
  [K in RouteKeyOf<F>]: Route<K> extends { stream: true } ? never : K;
}[RouteKeyOf<F>];

/** One implementation per route of the function, keyed by route key: a missing or unknown key does not compile. */
export type RouteImplementations<F extends FunctionId> = {
  [K in AnsweredRouteKey<F>]: (request: RouteRequest<K>) => Promise<ResponseOf<K>>;
};

/** A body over 256 KiB is refused with 413. */
export const MAX_BODY_BYTES = 256 * 1024;

const ROUTE_BY_KEY = new Map<string, RouteDefinition>(ROUTE_LIST.map((r) => [r.key, r]));

/**
 * Path parameters of each route as one object schema, so a bad id is a 400 naming it;
 * built once, not on every request (the heartbeat route is the hot path).
 */
const PATH_SCHEMAS = new Map<string, z.ZodObject>(
  ROUTE_LIST.filter((r) => r.params.length > 0).map((r) => [
    r.key,
    z.object(Object.fromEntries(r.params.map((name) => [name, PATH_PARAMETERS[name]]))),
  ]),
);

/**
 * How a function checks a node's bearer token for its node routes, by the token's MAC
 * alone (no storage call): resolves when it may go on, throws the 401/403 otherwise.
 */
export type NodeTokenCheck = (nodeId: string, token: string) => Promise<unknown>;

export interface HttpHandlerOptions {
  /** Required when the function serves a route with `auth: 'node'`. */
  nodeToken?: NodeTokenCheck;
  /** The WAF front's origin secret; default from the environment the stack sets (none when the front is off). */
  frontOrigin?: FrontOriginSource;
}

/**
 * Checks the route's scopes, or a node route's token, before the body is even read or
 * its size judged: a caller without the right token learns nothing about what a valid
 * request would look like (401/403, not 400), and a forged node token costs no I/O.
 */
const routeAuth = (served: ReadonlySet<RouteKey>, nodeToken?: NodeTokenCheck): MiddlewareObj<HttpEvent> => ({
  before: async (request) => {
    const found = ROUTE_BY_KEY.get(request.event.routeKey);
    if (!found || !served.has(found.key)) return;
    authorize(found.spec.auth, request.event);
    if (found.spec.auth === 'node' && nodeToken) {
      const nodeId = request.event.pathParameters?.nodeId;
      await nodeToken(typeof nodeId === 'string' ? nodeId : '', bearerToken(request.event));
    }
  },
});

/** Refuses oversized bodies before anything parses them. */
const bodyLimit = (): MiddlewareObj<HttpEvent> => ({
  before: (request) => {
    const { body, isBase64Encoded } = request.event;
    if (typeof body !== 'string') return;
    const bytes = isBase64Encoded ? Math.floor((body.length * 3) / 4) : Buffer.byteLength(body, 'utf8');
    if (bytes > MAX_BODY_BYTES) {
      throw new PayloadTooLargeError(
        `The body is ${bytes} bytes; the API accepts at most ${MAX_BODY_BYTES}.`,
      );
    }
  },
});

/**
 * What a JSON text must contain to hold a key `__proto__` or `constructor`, even written
 * with `\u` escapes. Without it a plain `JSON.parse` is as safe as middy's parser, whose
 * reviver (it refuses those keys) made parsing a heartbeat's body about six times slower.
 */
const MAY_HOLD_FORBIDDEN_KEY = /__proto__|constructor|\\u/;

/**
 * Parses a JSON body, whatever the content type; an empty body stays undefined. A body
 * that may hold a forbidden key, or is not valid JSON, goes to middy's parser, which
 * answers for it (422) as before.
 */
const jsonBody = (): MiddlewareObj<HttpEvent> => {
  const parser = httpJsonBodyParser({ disableContentTypeCheck: true });
  return {
    before: async (request) => {
      const { body, isBase64Encoded } = request.event;
      if (body === undefined || body === null || body === '') {
        request.event.body = undefined;
        return;
      }
      if (typeof body === 'string' && !isBase64Encoded && !MAY_HOLD_FORBIDDEN_KEY.test(body)) {
        try {
          // The parsed body replaces the text, as middy's parser does (hence the cast).
          (request.event as { body?: unknown }).body = JSON.parse(body) as unknown;
          return;
        } catch {
          // Not JSON: middy's parser says so.
        }
      }
      await parser.before?.(request as never);
    },
  };
};

/** Every error becomes problem+json; 5xx are logged with the error, 4xx are the caller's business. */
const problems = (): MiddlewareObj<HttpEvent, APIGatewayProxyStructuredResultV2> => ({
  onError: (request) => {
    const problem = toProblem(request.error);
    if (problem.status >= 500)
      logger.error('Request failed', { error: request.error, routeKey: request.event.routeKey });
    request.response = problemResponse(problem);
  },
});

type AnyImplementation = (request: RouteRequest<RouteKey>) => Promise<unknown>;

/**
 * A Lambda handler for a function's routes: normalised headers, body limit, JSON parsing,
 * auth from the route table, path/query/body validated by the route's schemas, the
 * route's success status, one line of log context and metrics per invocation, and
 * problem+json for every error. Route implementations only call a use case.
 */
export function httpHandler<F extends FunctionId>(
  functionId: F,
  routes: RouteImplementations<F>,
  options: HttpHandlerOptions = {},
) {
  const implementations = routes as unknown as Record<string, AnyImplementation>;
  const served = new Set(Object.keys(implementations) as RouteKey[]);
  const nodeRoutes = [...served].filter((key) => ROUTE_BY_KEY.get(key)?.spec.auth === 'node');
  if (nodeRoutes.length > 0 && !options.nodeToken) {
    throw new Error(
      `Function ${functionId} serves ${nodeRoutes.join(', ')} but was given no node token check; pass options.nodeToken.`,
    );
  }
  const dispatch = async (
    event: HttpEvent,
    _context: Context,
  ): Promise<APIGatewayProxyStructuredResultV2> => {
    const found = ROUTE_BY_KEY.get(event.routeKey);
    const implementation = found ? implementations[found.key] : undefined;
    if (!found || !implementation) {
      return problemResponse({
        type: 'https://presence-ha.dev/problems/not-found',
        title: 'Not found',
        status: 404,
        detail: `No route ${event.routeKey}; see GET /v1/openapi.json.`,
      });
    }
    const { spec } = found;
    // A node's route without a bearer token is a 401 before anything about the request is judged.
    if (spec.auth === 'node') bearerToken(event);
    const pathSchema = PATH_SCHEMAS.get(found.key);
    const path = pathSchema ? parse(pathSchema, event.pathParameters ?? {}, 'path') : {};
    const query = spec.query ? parse(spec.query, event.queryStringParameters ?? {}, 'query') : undefined;
    const body = spec.body ? parse(spec.body, event.body, 'body') : undefined;
    const answer = await implementation({ event, path, query, body } as RouteRequest<RouteKey>);
    // A dry run changes nothing: 200 with what would happen, not the route's 202.
    const status =
      spec.dryRun && (body as { dryRun?: unknown } | undefined)?.dryRun === true ? 200 : spec.status;
    return {
      statusCode: status,
      headers: { 'content-type': 'application/json' },
      ...(status === 204 || answer === undefined ? {} : { body: JSON.stringify(answer) }),
    };
  };
  return (
    middy<HttpEvent, APIGatewayProxyStructuredResultV2>(dispatch)
      // The API Gateway request id on every log line of the request (`correlation_id`), so an
      // operator can go from an access-log line or a client's error to the function's lines.
      .use(injectLambdaContext(logger, { resetKeys: true }))
      .use(requestCorrelation())
      .use(flushMetrics())
      .use(httpHeaderNormalizer())
      // Not through the front: 403 before any token is looked at (docs/threat-model.md).
      .use(frontOriginGuard(options.frontOrigin ?? frontOriginFromEnv(process.env)))
      .use(routeAuth(served, options.nodeToken))
      .use(bodyLimit())
      .use(jsonBody())
      .use(problems())
  );
}

/** A Lambda handler as the embedded default and the tests invoke it. */
export type LambdaHandler = (event: never, context: Context) => Promise<unknown>;
