import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { FunctionId } from '../lambdas/contract';
import {
  ADMIN_SCOPE,
  MAX_BODY_BYTES,
  PayloadTooLargeError,
  problemResponse,
  READ_SCOPE,
  toProblem,
  type InvokableHandler,
} from '../lambdas/handlers';
import { UnauthorizedError } from '../lambdas/app';
import { localContext, matchRoute, pathExists, toApiGatewayEvent } from './apiGatewayEvent';
import type { BusEvent, LocalEventBus } from './eventBus';
import { serveConsole } from '../console/serve';

export interface ServerOptions {
  host: string;
  port: number;
  adminToken: string;
  readToken: string;
  bus: LocalEventBus;
  /** The handler of each function, as Lambda would run it. */
  handlers: Record<FunctionId, InvokableHandler>;
  /** Extra routes of the embedded default only (the test switches), checked before the API. */
  extra?: (
    req: IncomingMessage,
    res: ServerResponse,
    body: string,
    scopes: string[] | null,
  ) => Promise<boolean>;
  /** The built console (console/dist), served at `/` on this origin; none when absent. */
  consoleDir?: string;
}

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** The scopes a bearer token stands for: the local stand-in for API Gateway's JWT authorizer. */
export function scopesFor(
  authorization: string | undefined,
  o: Pick<ServerOptions, 'adminToken' | 'readToken'>,
) {
  const token = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (!token) return null;
  if (same(token, o.adminToken)) return [ADMIN_SCOPE];
  if (same(token, o.readToken)) return [READ_SCOPE];
  return null;
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body?: string) {
  res.writeHead(status, headers);
  res.end(body);
}

function sendProblem(res: ServerResponse, e: unknown) {
  const r = problemResponse(toProblem(e));
  send(res, r.statusCode ?? 500, r.headers as Record<string, string>, r.body);
}

/** Reads the body, refusing more than the API accepts without holding it all in memory. */
function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES + 1) chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** `GET /v1/events`: the local bus as server-sent events, one `event:` per detail-type. */
function streamEvents(req: IncomingMessage, res: ServerResponse, bus: LocalEventBus) {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  res.write(': presence-ha events\n\n');
  const write = (e: BusEvent) =>
    res.write(`id: ${e.id}\nevent: ${e['detail-type']}\ndata: ${JSON.stringify(e)}\n\n`);
  const unsubscribe = bus.subscribe(write);
  // A comment now and then keeps proxies from closing an idle stream.
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  keepAlive.unref();
  req.on('close', () => {
    clearInterval(keepAlive);
    unsubscribe();
  });
}

/**
 * The embedded default's HTTP front: every route of the route table, turned into the
 * API Gateway event the Lambda would get and handed to the same handler. Bearer tokens
 * stand for the scopes API Gateway's JWT authorizer would vouch for.
 */
export function startServer(o: ServerOptions): Promise<Server> {
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const scopes = scopesFor(req.headers.authorization, o);
      const body = await readBody(req);
      if (body === null) {
        return sendProblem(
          res,
          new PayloadTooLargeError(`The body is over ${MAX_BODY_BYTES} bytes, the most the API accepts.`),
        );
      }
      if (o.extra && (await o.extra(req, res, body, scopes))) return;
      if (o.consoleDir && serveConsole(req, res, url.pathname, o.consoleDir)) return;
      const match = matchRoute(req.method ?? 'GET', url.pathname);
      if (!match) {
        const status = pathExists(url.pathname) ? 405 : 404;
        return send(
          res,
          status,
          { 'content-type': 'application/problem+json' },
          JSON.stringify({
            type: 'https://presence-ha.dev/problems/not-found',
            title: status === 405 ? 'Method not allowed' : 'Not found',
            status,
            detail: `No route ${req.method} ${url.pathname}; see GET /v1/openapi.json.`,
          }),
        );
      }
      // API Gateway's JWT authorizer refuses a token it cannot verify before any handler runs.
      const { spec } = match.route;
      const needsScope = spec.auth === 'read' || spec.auth === 'admin';
      if (needsScope && req.headers.authorization && !scopes) {
        throw new UnauthorizedError(
          'The bearer token is not valid for this server: use the admin or read token printed at start (or PRG_ADMIN_TOKEN / PRG_READ_TOKEN).',
        );
      }
      if (spec.stream) {
        if (!scopes)
          throw new UnauthorizedError('This route needs a bearer token with scope prg/read or prg/admin.');
        return streamEvents(req, res, o.bus);
      }
      const headers = Object.fromEntries(
        Object.entries(req.headers).flatMap(([k, v]) =>
          typeof v === 'string' ? [[k, v]] : Array.isArray(v) ? [[k, v.join(',')]] : [],
        ),
      );
      const event = toApiGatewayEvent(
        {
          method: req.method ?? 'GET',
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          headers,
          body,
          scopes,
        },
        match.route,
        match.pathParameters,
      );
      const handler = o.handlers[spec.function];
      const out = (await handler(event, localContext(spec.function))) as {
        statusCode: number;
        headers?: Record<string, string>;
        body?: string;
      };
      send(res, out.statusCode, out.headers ?? {}, out.body);
    } catch (e) {
      sendProblem(res, e);
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve(server));
  });
}
