import { MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  StaticNodeTokenKeys,
  type CursorSigner,
  type EventPublisher,
  type NodeTokenKeys,
  type Ports,
  type WorkflowStarter,
} from '../app';
import { tableNamesFromEnv, type TableNames } from '../adapters/dynamodb/client';
import type { DocumentDb } from '../adapters/dynamodb/commands';
import { withSdkFallback } from '../adapters/dynamodb/sdkFallback';
import { wireDocumentDb, wireOptionsFromEnv } from '../adapters/dynamodb/wire/wireDocumentDb';
import { DynamoGroupRepository } from '../adapters/dynamodb/groups';
import { DynamoHistoryRepository } from '../adapters/dynamodb/history';
import { DynamoNodeRepository } from '../adapters/dynamodb/nodes';
import { DynamoSettingsRepository, type ParameterReads } from '../adapters/dynamodb/settings';
import { DynamoUserRepository } from '../adapters/dynamodb/users';
import { DynamoStorageProbe } from '../adapters/dynamodb/probe';
import { DynamoCursorSigner } from '../adapters/dynamodb/cursorKey';
import { DynamoOutboxStore } from '../adapters/dynamodb/outbox';
import { EventBridgePublisher } from '../adapters/eventbridge/publisher';
import {
  extensionFetch,
  NODE_TOKEN_SECRET_ENV,
  NO_NODE_TOKEN_KEYS,
  SecretNodeTokenKeys,
} from '../adapters/secrets/nodeTokenKeys';
import { SfnWorkflowStarter } from '../adapters/sfn/workflowStarter';
import { DYNAMODB_CLIENT_ENV, EVENT_BUS_ENV, WORKFLOWS, WORKFLOW_IDS, type WorkflowId } from '../contract';
import { logger, metrics } from './observability';

/** What the ports are built from: explicit, so two sets of ports in one process share nothing. */
export interface PortsConfig {
  /** DynamoDB, as the repositories talk to it (lambdas/adapters/dynamodb/commands.ts). */
  db: DocumentDb;
  tables: TableNames;
  workflows: WorkflowStarter;
  events: EventPublisher;
  clock?: Ports['clock'];
  /** Signs list cursors; by default with a key kept in the settings table. */
  cursors?: CursorSigner;
  /** The node token keys; by default a random key that lives as long as these ports. */
  nodeTokens?: NodeTokenKeys;
  /** How cluster parameters are read; consistent by default. */
  parameterReads?: ParameterReads;
}

/** The ports every function is given, over one DynamoDB port. */
function sharedPorts(db: DocumentDb, config: PortsConfig): Omit<Ports, 'users' | 'storage' | 'cursors'> {
  return {
    groups: new DynamoGroupRepository(db, config.tables),
    nodes: new DynamoNodeRepository(db, config.tables),
    settings: new DynamoSettingsRepository(db, config.tables, config.parameterReads),
    history: new DynamoHistoryRepository(db, config.tables),
    workflows: config.workflows,
    events: config.events,
    clock: config.clock ?? { now: () => Date.now() },
    nodeTokens: config.nodeTokens ?? StaticNodeTokenKeys.random(),
    outbox: new DynamoOutboxStore(db, config.tables),
    log: {
      info: (message, extra) => logger.info(message, { ...extra }),
      warn: (message, extra) => logger.warn(message, { ...extra }),
      error: (message, extra) => logger.error(message, { ...extra }),
    },
    metrics: {
      count: (name, value = 1) => metrics.addMetric(name, MetricUnit.Count, value),
      seconds: (name, value) => metrics.addMetric(name, MetricUnit.Seconds, value),
    },
  };
}

/** The ports over DynamoDB, with the given workflow starter and event publisher. */
export function portsFrom(config: PortsConfig): Ports {
  const db = config.db;
  return {
    ...sharedPorts(db, config),
    users: new DynamoUserRepository(db, config.tables),
    storage: new DynamoStorageProbe(db, config.tables),
    cursors: config.cursors ?? new DynamoCursorSigner(db, config.tables),
  };
}

/**
 * A port a function is not given: any use is a wiring mistake, said plainly (as for the
 * node token keys of a function given no secret).
 */
function notGiven<T extends object>(port: string): T {
  const refuse = () =>
    Promise.reject(
      new Error(
        `The heartbeat function was built without the ${port} port (heartbeatPortsFrom in lambdas/handlers/composition.ts); give it one there if the heartbeat now needs it.`,
      ),
    );
  return new Proxy({} as T, {
    // `then` stays undefined, so awaiting the port itself is not mistaken for a promise.
    get: (_target, key) => (key === 'then' || typeof key === 'symbol' ? undefined : refuse),
  });
}

/**
 * The heartbeat function's ports. Users, list cursors and the storage probe are not
 * given: a heartbeat never uses them, and leaving their adapters out keeps its bundle
 * small. Cluster parameters are read eventually consistently (half the read units): the
 * heartbeat is their only reader here and keeps them for seconds in its cache anyway, so
 * this adds at most about a second to how long a change takes to reach it. `npm run
 * bench` builds the heartbeat's ports with this too.
 */
export function heartbeatPortsFrom(config: PortsConfig): Ports {
  const db = config.db;
  return {
    ...sharedPorts(db, { ...config, parameterReads: 'eventual' }),
    users: notGiven('users'),
    storage: notGiven('storage'),
    cursors: config.cursors ?? notGiven('cursors'),
  };
}

/** State machine ARNs by workflow, from the variables the stack sets. */
export function workflowArnsFromEnv(env: NodeJS.ProcessEnv): Record<WorkflowId, string> {
  return Object.fromEntries(WORKFLOW_IDS.map((id) => [id, env[WORKFLOWS[id].envVar] ?? ''])) as Record<
    WorkflowId,
    string
  >;
}

/** How a Lambda function's ports are built beyond what its environment says. */
export interface FromEnvOptions {
  /**
   * DynamoDB: by default the small signed HTTP client (`wire/`), which loads in a few
   * milliseconds where the SDK's DynamoDB client takes about two hundred (or the SDK, when
   * PRG_DYNAMODB_CLIENT=sdk); a traced function passes the SDK's, captured for X-Ray
   * (lambdas/handlers/tracing.ts).
   */
  db?: DocumentDb;
  /**
   * Sees each AWS SDK client before use: a traced function captures them for X-Ray there,
   * so this module never imports the tracer.
   */
  instrument?: <C extends object>(client: C) => C;
}

/**
 * The ports of a Lambda function, from the environment the stack sets: built once per
 * cold start by each entry file (AWS clients are expensive to create), then passed in.
 */
export function portsFromEnv(env: NodeJS.ProcessEnv, options: FromEnvOptions = {}): Ports {
  return portsFrom(configFromEnv(env, options));
}

/**
 * DynamoDB as the environment says: the small signed HTTP client, falling back to the AWS
 * SDK should DynamoDB refuse its signature; or, with PRG_DYNAMODB_CLIENT=sdk, the SDK
 * alone. Either way the SDK is loaded on its first call, so that a function which never
 * needs it never pays its load.
 */
function dynamoDbFromEnv(env: NodeJS.ProcessEnv): DocumentDb {
  const loadSdk = () =>
    import('../adapters/dynamodb/sdkDocumentDb').then((m) => m.sdkDocumentDb(m.sdkClientFromEnv(env)));
  if (env[DYNAMODB_CLIENT_ENV] === 'sdk') {
    let sdk: Promise<DocumentDb> | undefined;
    return {
      async send(command) {
        sdk ??= loadSdk();
        return (await sdk).send(command);
      },
    };
  }
  return withSdkFallback(wireDocumentDb(wireOptionsFromEnv(env)), loadSdk, (message, error) =>
    logger.error(message, error),
  );
}

/** What the ports of a Lambda function are built from, from the environment the stack sets. */
function configFromEnv(env: NodeJS.ProcessEnv, options: FromEnvOptions): PortsConfig {
  const instrument = options.instrument ?? (<C extends object>(client: C) => client);
  return {
    db: options.db ?? dynamoDbFromEnv(env),
    tables: tableNamesFromEnv(env),
    // Made on first use: a steady heartbeat starts no workflow and publishes no event, and
    // loading these two SDK clients at import was most of its cold start beyond DynamoDB's.
    workflows: new SfnWorkflowStarter(
      async () => instrument(new (await import('@aws-sdk/client-sfn')).SFNClient({ maxAttempts: 4 })),
      workflowArnsFromEnv(env),
    ),
    events: new EventBridgePublisher(
      async () =>
        instrument(new (await import('@aws-sdk/client-eventbridge')).EventBridgeClient({ maxAttempts: 4 })),
      env[EVENT_BUS_ENV] ?? '',
    ),
    // Only the functions that issue or check node tokens are given the secret.
    nodeTokens: env[NODE_TOKEN_SECRET_ENV]
      ? new SecretNodeTokenKeys(env[NODE_TOKEN_SECRET_ENV], extensionFetch(env), undefined, undefined, (m) =>
          logger.warn(m),
        )
      : NO_NODE_TOKEN_KEYS,
  };
}

/** The heartbeat function's ports (`heartbeatPortsFrom`), from the environment the stack sets. */
export function heartbeatPortsFromEnv(env: NodeJS.ProcessEnv): Ports {
  return heartbeatPortsFrom(configFromEnv(env, {}));
}
