import middy, { type MiddlewareObj } from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { ROUTES, routeKey, type RouteDefinition } from '../definitions';
import { flushMetrics, logger } from '../observability';
import { authorize, type AuthContext } from './auth';
import { PayloadTooLargeError, problemResponse, toProblem } from './problem';

/** An API Gateway HTTP API (v2) event, with the JWT authorizer's context when there is one. */
export type HttpEvent = APIGatewayProxyEventV2 & AuthContext & { body?: unknown };

/** What a route handler gets: the parsed body, path parameters and query string. */
export interface HttpRequest {
  event: HttpEvent;
  body: unknown;
  path: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
}

export interface HttpReply {
  status: number;
  body?: unknown;
}

export type RouteHandler = (req: HttpRequest) => Promise<HttpReply>;

/** SPEC §4: a body over 256 KiB is refused with 413. */
export const MAX_BODY_BYTES = 256 * 1024;

const ROUTE_BY_KEY = new Map<string, RouteDefinition>(ROUTES.map((r) => [routeKey(r), r]));

/**
 * Checks the route's scopes before the body is even read: a caller without the right
 * token learns nothing about what a valid request would look like (401/403, not 400).
 */
const routeAuth = (served: Record<string, RouteHandler>): MiddlewareObj<HttpEvent> => ({
  before: (request) => {
    const route = ROUTE_BY_KEY.get(request.event.routeKey);
    if (route && served[request.event.routeKey]) authorize(route.auth, request.event);
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

/** Parses a JSON body with middy's parser, whatever the content type; an empty body stays undefined. */
const jsonBody = (): MiddlewareObj<HttpEvent> => {
  const parser = httpJsonBodyParser({ disableContentTypeCheck: true });
  return {
    before: async (request) => {
      const body = request.event.body;
      if (body === undefined || body === null || body === '') {
        request.event.body = undefined;
        return;
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

/**
 * A Lambda handler for a set of routes: normalised headers, body limit, JSON parsing,
 * auth from the route table, one line of log context and metrics per invocation, and
 * problem+json for every error. Route handlers only parse, call a use case and reply.
 */
export function httpHandler(routes: Record<string, RouteHandler>) {
  const dispatch = async (
    event: HttpEvent,
    _context: Context,
  ): Promise<APIGatewayProxyStructuredResultV2> => {
    const route = ROUTE_BY_KEY.get(event.routeKey);
    const handle = routes[event.routeKey];
    if (!route || !handle) {
      return problemResponse({
        type: 'https://presence-ha.dev/problems/not-found',
        title: 'Not found',
        status: 404,
        detail: `No route ${event.routeKey}; see GET /v1/openapi.json.`,
      });
    }
    const reply = await handle({
      event,
      body: event.body,
      path: event.pathParameters ?? {},
      query: event.queryStringParameters ?? {},
    });
    return {
      statusCode: reply.status,
      headers: { 'content-type': 'application/json' },
      ...(reply.body === undefined ? {} : { body: JSON.stringify(reply.body) }),
    };
  };
  const handler = middy<HttpEvent, APIGatewayProxyStructuredResultV2>(dispatch).use(
    injectLambdaContext(logger),
  );
  return handler
    .use(flushMetrics())
    .use(httpHeaderNormalizer())
    .use(routeAuth(routes))
    .use(bodyLimit())
    .use(jsonBody())
    .use(problems());
}
