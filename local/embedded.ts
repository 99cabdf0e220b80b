import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { Ports } from '../lambdas/app';
import { ADMIN_SCOPE, makeHandlers, portsFrom } from '../lambdas/handlers';
import { createTables, localClient, startDynamoDbLocal, type DynamoDbLocal } from './dynamodbLocal';
import { LocalEventBus } from './eventBus';
import { LocalWorkflowRunner } from './workflows';
import { localContext } from './apiGatewayEvent';
import { startServer } from './server';

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
  /** Test switches (`POST /_test/faults`); never on unless asked for. */
  testSwitches?: boolean;
  /** Where event lines and operator messages go; stdout by default. */
  writeLine?: (line: string) => void;
}

export interface Embedded {
  url: string;
  adminToken: string;
  readToken: string;
  dynamoEndpoint: string;
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
  let db: DynamoDbLocal | null = null;
  const dynamoEndpoint =
    o.dynamoEndpoint ?? (db = await startDynamoDbLocal(o.dataDir ? { dataDir: o.dataDir } : {})).endpoint;
  const tables = await createTables(dynamoEndpoint, o.tablePrefix ?? 'presence-ha');

  // Everything this instance runs is built here and passed in: no process-wide state, so
  // two embedded defaults in one process are independent.
  const bus = new LocalEventBus(writeLine);
  // The runner and the handlers need each other: the runner's tasks run the workflowTask
  // handler, whose ports start workflows on the runner.
  let runner: LocalWorkflowRunner | null = null;
  const ports: Ports = portsFrom({
    dynamodb: localClient(dynamoEndpoint),
    tables,
    workflows: { start: (input) => (runner as LocalWorkflowRunner).start(input) },
    events: bus,
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
  const timer = setInterval(
    () => {
      if (sweeping) return;
      sweeping = true;
      sweep({}, localContext('sweep'))
        .catch((e: unknown) =>
          writeLine(JSON.stringify({ level: 'ERROR', message: `Sweep failed: ${String(e)}` })),
        )
        .finally(() => (sweeping = false));
    },
    (o.sweepSeconds ?? 1) * 1000,
  );

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    adminToken,
    readToken,
    dynamoEndpoint,
    bus,
    workflows,
    ports,
    async stop() {
      clearInterval(timer);
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await workflows.stop();
      await db?.stop();
    },
  };
}
