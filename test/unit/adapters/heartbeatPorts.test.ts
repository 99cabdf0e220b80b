/**
 * The heartbeat function's own ports: cluster parameters read eventually consistently
 * (half the read units; it caches them for seconds anyway) while every other function
 * reads them consistently, and a parameter change always starts from a consistent,
 * versioned read; the ports a heartbeat never uses are not given, and using one says so.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { heartbeatPortsFromEnv, portsFromEnv } from '../../../lambdas/handlers/composition';

const doc = mockClient(DynamoDBDocumentClient);
afterEach(() => doc.reset());
const env = { AWS_REGION: 'us-east-1' };

function readsOf(): (boolean | undefined)[] {
  return doc.commandCalls(GetCommand).map((c) => c.args[0].input.ConsistentRead);
}

describe('cluster parameter reads', () => {
  it('the heartbeat function reads them eventually consistently', async () => {
    doc.on(GetCommand).resolves({});
    await heartbeatPortsFromEnv(env).settings.clusterParameters('c');
    expect(readsOf()).toEqual([false]);
  });

  it('the other functions read them consistently', async () => {
    doc.on(GetCommand).resolves({});
    await portsFromEnv(env).settings.clusterParameters('c');
    expect(readsOf()).toEqual([true]);
  });

  it('the versioned read a change starts from is consistent in the heartbeat function too', async () => {
    doc.on(GetCommand).resolves({});
    await heartbeatPortsFromEnv(env).settings.clusterParametersRecord('c');
    expect(readsOf()).toEqual([true]);
  });

  it('the ports a heartbeat never uses are refused, naming where the heartbeat is wired', async () => {
    const ports = heartbeatPortsFromEnv(env);
    await expect(ports.users.get('u-1')).rejects.toThrow(/without the users port \(heartbeatPortsFrom/);
    await expect(ports.storage.check()).rejects.toThrow(/without the storage port/);
    expect(doc.calls()).toHaveLength(0);
  });
});
