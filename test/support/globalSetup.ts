import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../local/dynamodbLocal';

let db: DynamoDbLocal | null = null;

/**
 * One DynamoDB Local for the whole run (it takes a few seconds to start); each test file
 * creates its own tables under a unique prefix, so files never see each other's data.
 */
export async function setup(project: TestProject): Promise<void> {
  db = await startDynamoDbLocal();
  project.provide('dynamoEndpoint', db.endpoint);
}

export async function teardown(): Promise<void> {
  await db?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}
