import { randomUUID } from 'node:crypto';
import { expect, inject } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { createTables, localDocumentDb } from '../../local/dynamodbLocal';
import { localContext, matchRoute, toApiGatewayEvent } from '../../local/apiGatewayEvent';
import { makeHandlers, portsFrom, type DocumentDb } from '../../lambdas/handlers';
import { SfnWorkflowStarter } from '../../lambdas/adapters/sfn/workflowStarter';
import { EventBridgePublisher } from '../../lambdas/adapters/eventbridge/publisher';
import { WORKFLOWS, WORKFLOW_IDS, type RouteDefinition, type WorkflowId } from '../../lambdas/contract';
import { z } from 'zod';
import type { Ports, WorkflowTask } from '../../lambdas/app';
import { runTask } from '../../lambdas/handlers/workflowTask';

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
  /** Further claims of the admin's token (a Cognito user's name, an app client id). */
  claims?: Record<string, string>;
}

/**
 * The real handlers over real DynamoDB (Local, fresh tables per file), with Step
 * Functions and EventBridge replaced by aws-sdk-client-mock so a test can see which
 * workflows were started and which events published. The clock is the test's.
 */
export async function apiHarness() {
  const endpoint = inject('dynamoEndpoint');
  const tables = await createTables(endpoint, `t-${randomUUID().slice(0, 8)}`);
  const arns = Object.fromEntries(
    WORKFLOW_IDS.map((id) => [
      id,
      `arn:aws:states:us-east-1:000000000000:stateMachine:test-${WORKFLOWS[id].slug}`,
    ]),
  ) as Record<WorkflowId, string>;
  // Everything is passed in: no environment is read or written, so harnesses never share state.
  const region = 'us-east-1';
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const sfn = mockClient(SFNClient);
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:test', startDate: new Date() });
  const events = mockClient(EventBridgeClient);
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
  const clock = { t: Date.UTC(2026, 10, 25, 9, 0, 0), now: () => clock.t };
  // Every DynamoDB operation the handlers make, by command name: the cost of a request.
  const dynamoCalls: string[] = [];
  // The handlers talk to DynamoDB Local as the heartbeat function does on Lambda (the
  // small signed HTTP client); each call is counted once, however often it is retried.
  const wire = localDocumentDb(endpoint);
  const db: DocumentDb = {
    send: (command) => {
      dynamoCalls.push(`${command.operation}Command`);
      return wire.send(command);
    },
  };
  // The metrics the use cases record, by name, in order.
  const metrics: [string, number][] = [];
  const ports: Ports = {
    ...portsFrom({
      db,
      tables,
      workflows: new SfnWorkflowStarter(new SFNClient({ region, credentials }), arns),
      events: new EventBridgePublisher(new EventBridgeClient({ region, credentials }), 'test-events'),
    }),
    clock: { now: () => clock.t },
    metrics: {
      count: (name, value = 1) => void metrics.push([name, value]),
      seconds: (name, value) => void metrics.push([name, value]),
    },
  };
  const handlers = makeHandlers(ports);

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
        ...(o.claims ? { claims: o.claims } : {}),
      },
      match.route,
      match.pathParameters,
    );
    const functionId = match.route.spec.function;
    const res = (await handlers[functionId](event, localContext(functionId))) as {
      statusCode: number;
      headers?: Record<string, string>;
      body?: string;
    };
    const body = res.body ? JSON.parse(res.body) : undefined;
    // Every successful answer must be what the route table (and so the OpenAPI document) says it is.
    if (res.statusCode < 300)
      expect(unlikeItsRoute(match.route, res.statusCode, body), match.route.key).toBeNull();
    return { status: res.statusCode, contentType: res.headers?.['content-type'], body };
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

  /** Runs one workflow task as its Lambda would, over this harness's ports. */
  const runWorkflowTask = (task: WorkflowTask) => runTask(ports, task);

  return {
    call,
    clock,
    sfn,
    events,
    started,
    published,
    ports,
    handlers,
    runTask: runWorkflowTask,
    tables,
    dynamoCalls,
    metrics,
  };
}

export type ApiHarness = Awaited<ReturnType<typeof apiHarness>>;

/**
 * How a successful answer differs from what its route promises (the route table's status
 * and response schema, which the OpenAPI document publishes), or null when it does not.
 */
export function unlikeItsRoute(route: RouteDefinition, status: number, body: unknown): string | null {
  const dryRun = route.spec.dryRun !== undefined && status === 200 && status !== route.spec.status;
  if (status !== route.spec.status && !dryRun)
    return `a success other than the route's ${route.spec.status}: ${status}`;
  const parsed = (dryRun ? route.spec.dryRun : route.spec.response)?.safeParse(body);
  if (parsed && !parsed.success)
    return `the answer does not match the route's response schema: ${z.prettifyError(parsed.error)}`;
  return null;
}

/** Every critical service running, the database up: what a healthy node reports. */
export function healthy(services: readonly string[]): Record<string, 'running'> {
  return Object.fromEntries(services.map((s) => [s, 'running' as const]));
}
