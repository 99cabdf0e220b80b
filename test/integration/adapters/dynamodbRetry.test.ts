import { Readable } from 'node:stream';
import { inject, describe, expect, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { sdkDocumentDb } from '../../../lambdas/adapters/dynamodb/sdkDocumentDb';
import { DynamoSettingsRepository } from '../../../lambdas/adapters/dynamodb/settings';
import { createTables } from '../../../local/dynamodbLocal';
import { DEFAULT_CLUSTER_PARAMETERS } from '../../../lambdas/core';

/** A real client whose first `throttles` requests DynamoDB answers with ThrottlingException. */
function throttlingClient(endpoint: string, throttles: number) {
  const real = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const inner = real.config.requestHandler as { handle: (...a: unknown[]) => Promise<unknown> };
  let sent = 0;
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 4,
    requestHandler: {
      handle: async (...args: unknown[]) => {
        sent += 1;
        if (sent <= throttles) {
          const body = JSON.stringify({
            __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException',
            message: 'Rate exceeded',
          });
          return {
            response: {
              statusCode: 400,
              reason: 'Bad Request',
              headers: {
                'content-type': 'application/x-amz-json-1.0',
                'x-amzn-errortype': 'ThrottlingException',
              },
              body: Readable.from([Buffer.from(body)]),
            },
          };
        }
        return inner.handle(...args);
      },
    } as never,
  });
  return { client, sent: () => sent };
}

describe('DynamoDB adapters over the SDK (traced functions) under throttling', () => {
  it('a throttled call is retried with backoff and succeeds', async () => {
    const endpoint = inject('dynamoEndpoint');
    const tables = await createTables(endpoint, 'throttle');
    const { client, sent } = throttlingClient(endpoint, 2);
    const settings = new DynamoSettingsRepository(sdkDocumentDb(client), tables);
    await settings.saveClusterParameters('c1', { ...DEFAULT_CLUSTER_PARAMETERS, keepAliveInterval: 5 }, 0);
    expect(sent()).toBe(3);
    expect((await settings.clusterParameters('c1')).keepAliveInterval).toBe(5);
  });

  it('gives up after four attempts and surfaces the throttling error', async () => {
    const endpoint = inject('dynamoEndpoint');
    const tables = await createTables(endpoint, 'throttle2');
    const { client, sent } = throttlingClient(endpoint, 10);
    const settings = new DynamoSettingsRepository(sdkDocumentDb(client), tables);
    await expect(settings.clusterParameters('c1')).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(sent()).toBe(4);
  });
});
