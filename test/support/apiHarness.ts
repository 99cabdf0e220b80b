import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { createTables } from '../../local/dynamodbLocal';
import { localContext, loadHandler, matchRoute, toApiGatewayEvent } from '../../local/apiGatewayEvent';
import { portsFromEnv, usePorts } from '../../lambdas/handlers/composition';
import { TABLES, TABLE_IDS } from '../../lambdas/adapters/dynamodb/tables';
import { WORKFLOWS, WORKFLOW_IDS, EVENT_BUS_ENV } from '../../lambdas/handlers/definitions';
import type { Ports } from '../../lambdas/app';

export interface ApiResponse {
  status: number;
  contentType: string | undefined;
  body: any;
}

export interface CallOptions {
  body?: unknown;
  /** A raw body, sent as is (malformed JSON, oversized bodies). */
  rawBody?: string;
  query?: Record<string, string>;
  /** Scopes the authorizer vouches for; default admin. null: no token at all. */
  scopes?: string[] | null;
  /** A node's bearer token (heartbeats). */
  token?: string;
}

/**
 * The real handlers over real DynamoDB (Local, fresh tables per file), with Step
 * Functions and EventBridge replaced by aws-sdk-client-mock so a test can see which
 * workflows were started and which events published. The clock is the test's.
 */
export async function apiHarness() {
  const endpoint = inject('dynamoEndpoint');
  const tables = await createTables(endpoint, `t-${randomUUID().slice(0, 8)}`);
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';
  for (const id of TABLE_IDS) process.env[TABLES[id].envVar] = tables[id];
  for (const id of WORKFLOW_IDS) {
    process.env[WORKFLOWS[id].envVar] =
      `arn:aws:states:us-east-1:000000000000:stateMachine:test-${WORKFLOWS[id].nameSuffix}`;
  }
  process.env[EVENT_BUS_ENV] = 'test-events';
  const sfn = mockClient(SFNClient);
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:test', startDate: new Date() });
  const events = mockClient(EventBridgeClient);
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
  const clock = { t: Date.UTC(2026, 10, 25, 9, 0, 0), now: () => clock.t };
  // Every DynamoDB operation the handlers make, by command name: the cost of a request.
  const dynamoCalls: string[] = [];
  const dynamodb = new DynamoDBClient({ endpoint, maxAttempts: 4 });
  dynamodb.middlewareStack.add(
    (next, context) => (args) => {
      dynamoCalls.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  // The metrics the use cases record, by name, in order.
  const metrics: [string, number][] = [];
  const ports: Ports = {
    ...portsFromEnv(process.env, dynamodb),
    clock: { now: () => clock.t },
    metrics: {
      count: (name, value = 1) => void metrics.push([name, value]),
      seconds: (name, value) => void metrics.push([name, value]),
    },
  };
  usePorts(ports);

  async function call(method: string, path: string, o: CallOptions = {}): Promise<ApiResponse> {
    const match = matchRoute(method, path);
    if (!match) throw new Error(`no route ${method} ${path}`);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    const event = toApiGatewayEvent(
      {
        method,
        path,
        headers,
        ...(o.query ? { query: o.query } : {}),
        ...(o.rawBody !== undefined
          ? { body: o.rawBody }
          : o.body !== undefined
            ? { body: JSON.stringify(o.body) }
            : {}),
        scopes: o.scopes === undefined ? ['prg/admin'] : o.scopes,
      },
      match.route,
      match.pathParameters,
    );
    const handler = await loadHandler(match.route.function);
    const res = (await handler(event, localContext(match.route.function))) as {
      statusCode: number;
      headers?: Record<string, string>;
      body?: string;
    };
    return {
      status: res.statusCode,
      contentType: res.headers?.['content-type'],
      body: res.body ? JSON.parse(res.body) : undefined,
    };
  }

  /** The workflows started so far, as their execution input. */
  const started = () =>
    sfn.commandCalls(StartExecutionCommand).map((c) => JSON.parse(c.args[0].input.input ?? '{}'));
  /** The events published so far, as `{ detailType, ...detail }`. */
  const published = () =>
    events
      .commandCalls(PutEventsCommand)
      .flatMap((c) => c.args[0].input.Entries ?? [])
      .map((e) => ({ detailType: e.DetailType, ...JSON.parse(e.Detail ?? '{}') }));

  return { call, clock, sfn, events, started, published, ports, tables, dynamoCalls, metrics };
}

export type ApiHarness = Awaited<ReturnType<typeof apiHarness>>;

/** Every critical service running, the database up: what a healthy node reports. */
export function healthy(services: readonly string[]): Record<string, 'running'> {
  return Object.fromEntries(services.map((s) => [s, 'running' as const]));
}
