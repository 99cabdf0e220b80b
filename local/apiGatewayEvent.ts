import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { ROUTE_LIST, type RouteDefinition } from '../lambdas/contract';
import type { HttpEvent } from '../lambdas/handlers';

interface CompiledRoute {
  route: RouteDefinition;
  pattern: RegExp;
  params: string[];
}

const COMPILED: CompiledRoute[] = ROUTE_LIST.map((route) => {
  const params: string[] = [];
  const source = route.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    params.push(name);
    return '([^/]+)';
  });
  return { route, pattern: new RegExp(`^${source}$`), params };
});

/** The route API Gateway would pick for a method and path, with its path parameters. */
export function matchRoute(
  method: string,
  path: string,
): { route: RouteDefinition; pathParameters: Record<string, string> } | null {
  for (const c of COMPILED) {
    if (c.route.method !== method.toUpperCase()) continue;
    const m = c.pattern.exec(path);
    if (!m) continue;
    try {
      const pathParameters = Object.fromEntries(
        c.params.map((p, i) => [p, decodeURIComponent(m[i + 1] ?? '')]),
      );
      return { route: c.route, pathParameters };
    } catch {
      // Malformed percent-encoding names no resource.
      return null;
    }
  }
  return null;
}

/** Whether some route has this path under another method (405 rather than 404). */
export function pathExists(path: string): boolean {
  return COMPILED.some((c) => c.pattern.test(path));
}

export interface LocalRequest {
  method: string;
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  /** Scopes the embedded default's token check vouched for, as API Gateway's JWT authorizer would. */
  scopes?: string[] | null;
  /** Further claims of the token (a Cognito user's or app client's), as the JWT authorizer passes them on. */
  claims?: Record<string, string>;
}

/**
 * An API Gateway HTTP API (payload 2.0) event, as API Gateway builds it, so the embedded
 * default and the tests drive the very handlers Lambda runs.
 */
export function toApiGatewayEvent(
  req: LocalRequest,
  route: RouteDefinition,
  pathParameters: Record<string, string>,
): HttpEvent {
  const headers = Object.fromEntries(Object.entries(req.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const now = new Date();
  return {
    version: '2.0',
    routeKey: route.key,
    rawPath: req.path,
    rawQueryString: new URLSearchParams(req.query ?? {}).toString(),
    headers,
    ...(req.query && Object.keys(req.query).length > 0 ? { queryStringParameters: req.query } : {}),
    ...(Object.keys(pathParameters).length > 0 ? { pathParameters } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: req.method.toUpperCase(),
        path: req.path,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: route.key,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      ...(req.scopes
        ? {
            authorizer: {
              jwt: { scopes: req.scopes, claims: { ...req.claims, scope: req.scopes.join(' ') } },
            },
          }
        : {}),
    },
    ...(req.body !== undefined && req.body !== '' ? { body: req.body } : {}),
    isBase64Encoded: false,
  } as HttpEvent;
}

/** A Lambda context good enough for the handlers (Powertools reads the names). */
export function localContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
