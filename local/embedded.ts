import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { Ports } from '../lambdas/app';
import { ADMIN_SCOPE, makeHandlers, portsFrom } from '../lambdas/handlers';
import { createTables, localClient, localDocumentDb, startDynamoDbLocal } from './dynamodbLocal';
import { DynamoDbLocalSupervisor } from './supervisor';
import { LocalEventBus } from './eventBus';
import { LocalWorkflowRunner } from './workflows';
import { localContext } from './apiGatewayEvent';
import { startServer } from './server';
import { embeddedNodeTokenKeys } from './nodeTokenKey';

export interface EmbeddedOptions {
  host?: string;
  port?: number;
  sweepSeconds?: number;
  /** Keep DynamoDB Local's data here across restarts; in memory without it. */
  dataDir?: string;
  adminToken?: string;
  readToken?: string;
  /** Use this DynamoDB Local instead of starting one (the tests share one per run). */
  dynamoEndpoint?: string;
  tablePrefix?: string;
  /** The built console to serve at `/` (console/dist); no console without it. */
  consoleDir?: string;
  /** Test switches (`POST /_test/faults`); never on unless asked for. */
  testSwitches?: boolean;
  /** Where event lines and operator messages go; stdout by default. */
  writeLine?: (line: string) => void;
  /**
   * Called when the embedded default cannot go on (its own DynamoDB Local keeps dying);
   * `npm start` exits non-zero with the message. By default the process exits with 2.
   */
  onFatal?: (message: string) => void;
}

export interface Embedded {
  url: string;
  adminToken: string;
  readToken: string;
  dynamoEndpoint: string;
  /** The DynamoDB Local this instance started and watches (null when given an endpoint). */
  dynamoDbLocal: DynamoDbLocalSupervisor | null;
  bus: LocalEventBus;
  workflows: LocalWorkflowRunner;
  ports: Ports;
  stop(): Promise<void>;
}

const newToken = (kind: string) => `prg_${kind}_${randomBytes(24).toString('base64url')}`;

/**
 * The whole product on one machine: DynamoDB Local with the stack's tables, the same
 * handlers behind a local HTTP server, the same ASL workflows run by
 * aws-local-stepfunctions, the sweep on a timer, and a local event bus.
 */
export async function startEmbedded(o: EmbeddedOptions = {}): Promise<Embedded> {
  const writeLine = o.writeLine ?? ((line: string) => process.stdout.write(`${line}\n`));
  const tablePrefix = o.tablePrefix ?? 'presence-ha';
  let supervisor: DynamoDbLocalSupervisor | null = null;
  let dynamoEndpoint: string;
  if (o.dynamoEndpoint) {
    dynamoEndpoint = o.dynamoEndpoint;
  } else {
    const first = await startDynamoDbLocal(o.dataDir ? { dataDir: o.dataDir } : {});
    dynamoEndpoint = first.endpoint;
    const samePort = Number(new URL(first.endpoint).port);
    supervisor = new DynamoDbLocalSupervisor(first, {
      start: () => startDynamoDbLocal({ port: samePort, ...(o.dataDir ? { dataDir: o.dataDir } : {}) }),
      afterRestart: async () => {
        await createTables(dynamoEndpoint, tablePrefix);
      },
      keepsData: o.dataDir !== undefined,
      writeLine,
      giveUp:
        o.onFatal ??
        ((message) => {
          process.stderr.write(`presence-ha stopped: ${message}\n`);
          process.exit(2);
        }),
    });
  }
  const tables = await createTables(dynamoEndpoint, tablePrefix);

  // Everything this instance runs is built here and passed in: no process-wide state, so
  // two embedded defaults in one process are independent.
  const bus = new LocalEventBus(writeLine);
  // The runner and the handlers need each other: the runner's tasks run the workflowTask
  // handler, whose ports start workflows on the runner.
  let runner: LocalWorkflowRunner | null = null;
  const ports: Ports = portsFrom({
    db: localDocumentDb(dynamoEndpoint),
    tables,
    workflows: { start: (input) => (runner as LocalWorkflowRunner).start(input) },
    events: bus,
    nodeTokens: await embeddedNodeTokenKeys(o.dataDir, {
      dynamodb: localClient(dynamoEndpoint),
      settingsTable: tables.settings,
    }),
  });
  const handlers = makeHandlers(ports);
  const workflows = new LocalWorkflowRunner(
    (payload) => handlers.workflowTask(payload, localContext('workflowTask')),
    ports.log,
  );
  runner = workflows;

  const adminToken = o.adminToken ?? newToken('admin');
  const readToken = o.readToken ?? newToken('read');
  const host = o.host ?? '127.0.0.1';
  const server: Server = await startServer({
    host,
    port: o.port ?? 3000,
    adminToken,
    readToken,
    bus,
    handlers,
    ...(o.consoleDir ? { consoleDir: o.consoleDir } : {}),
    ...(o.testSwitches
      ? {
          extra: async (req, res, body, scopes) => {
            if (req.method !== 'POST' || req.url !== '/_test/faults') return false;
            if (!scopes?.includes(ADMIN_SCOPE)) {
              res.writeHead(403).end();
              return true;
            }
            const { group, task } = JSON.parse(body || '{}') as { group?: string; task?: string };
            workflows.failNext(String(group), String(task ?? 'moveUsers'));
            res.writeHead(204).end();
            return true;
          },
        }
      : {}),
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (o.port ?? 3000);

  const sweep = handlers.sweep;
  let sweeping = false;
  // One line when the sweep starts failing and one when it works again, not one a second.
  let sweepFailing = false;
  const timer = setInterval(
    () => {
      if (sweeping) return;
      sweeping = true;
      sweep({}, localContext('sweep'))
        .then(() => {
          if (!sweepFailing) return;
          sweepFailing = false;
          writeLine(JSON.stringify({ level: 'INFO', message: 'The sweep works again.' }));
        })
        .catch((e: unknown) => {
          if (sweepFailing) return;
          sweepFailing = true;
          writeLine(
            JSON.stringify({
              level: 'ERROR',
              message: `Sweep failed: ${String(e)}. It is tried every ${o.sweepSeconds ?? 1} s; the next line says when it works again.`,
            }),
          );
        })
        .finally(() => (sweeping = false));
    },
    (o.sweepSeconds ?? 1) * 1000,
  );

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    adminToken,
    readToken,
    dynamoEndpoint,
    dynamoDbLocal: supervisor,
    bus,
    workflows,
    ports,
    async stop() {
      clearInterval(timer);
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await workflows.stop();
      await supervisor?.stop();
    },
  };
}
