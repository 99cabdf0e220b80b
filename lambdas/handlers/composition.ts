import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { Ports } from '../app';
import { createDocumentClient, tableNamesFromEnv } from '../adapters/dynamodb/client';
import { DynamoGroupRepository } from '../adapters/dynamodb/groups';
import { DynamoHistoryRepository } from '../adapters/dynamodb/history';
import { DynamoNodeRepository } from '../adapters/dynamodb/nodes';
import { DynamoSettingsRepository } from '../adapters/dynamodb/settings';
import { DynamoUserRepository } from '../adapters/dynamodb/users';
import { EventBridgePublisher } from '../adapters/eventbridge/publisher';
import { SfnWorkflowStarter } from '../adapters/sfn/workflowStarter';
import { EVENT_BUS_ENV, WORKFLOWS, WORKFLOW_IDS, type WorkflowId } from './definitions';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger, metrics } from './observability';

/**
 * Builds the ports from the environment the stack (or the embedded default) sets.
 * @param dynamodb a DynamoDB client to use instead of the default one (tests count its calls)
 */
export function portsFromEnv(env: NodeJS.ProcessEnv = process.env, dynamodb?: DynamoDBClient): Ports {
  const db = createDocumentClient(dynamodb);
  const tables = tableNamesFromEnv(env);
  const arns = Object.fromEntries(WORKFLOW_IDS.map((id) => [id, env[WORKFLOWS[id].envVar] ?? ''])) as Record<
    WorkflowId,
    string
  >;
  return {
    groups: new DynamoGroupRepository(db, tables),
    nodes: new DynamoNodeRepository(db, tables),
    users: new DynamoUserRepository(db, tables),
    settings: new DynamoSettingsRepository(db, tables),
    history: new DynamoHistoryRepository(db, tables),
    workflows: new SfnWorkflowStarter(new SFNClient({ maxAttempts: 4 }), arns),
    events: new EventBridgePublisher(new EventBridgeClient({ maxAttempts: 4 }), env[EVENT_BUS_ENV] ?? ''),
    clock: { now: () => Date.now() },
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

let current: Ports | null = null;

/**
 * The process's ports, created on first use and then reused by every invocation (AWS
 * clients are expensive to create). The embedded default installs its own with
 * {@link usePorts}, with the same adapters pointed at DynamoDB Local and local workflows.
 */
export function ports(): Ports {
  current ??= portsFromEnv();
  return current;
}

export function usePorts(p: Ports | null): void {
  current = p;
}
