/**
 * The heartbeat function's own ports: cluster parameters read eventually consistently
 * (half the read units; it caches them for seconds anyway) while every other function
 * reads them consistently, and a parameter change always starts from a consistent,
 * versioned read; the ports a heartbeat never uses are not given, and using one says so.
 * The ports are built from a Lambda-like environment whose DynamoDB endpoint is a loopback
 * server, so what is checked is the request that leaves the function.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { heartbeatPortsFromEnv, portsFromEnv } from '../../../lambdas/handlers/composition';

/** What each request asked for: its operation and JSON body. */
const requests: { target: string; body: Record<string, unknown> }[] = [];
let server: Server;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      requests.push({
        target: String(req.headers['x-amz-target']),
        body: JSON.parse(body) as Record<string, unknown>,
      });
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  env = {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_SESSION_TOKEN: 'session',
    AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  };
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  requests.length = 0;
});

function readsOf(): unknown[] {
  return requests.filter((r) => r.target === 'DynamoDB_20120810.GetItem').map((r) => r.body.ConsistentRead);
}

describe('cluster parameter reads', () => {
  it('the heartbeat function reads them eventually consistently', async () => {
    await heartbeatPortsFromEnv(env).settings.clusterParameters('c');
    expect(readsOf()).toEqual([false]);
  });

  it('the other functions read them consistently', async () => {
    await portsFromEnv(env).settings.clusterParameters('c');
    expect(readsOf()).toEqual([true]);
  });

  it('the versioned read a change starts from is consistent in the heartbeat function too', async () => {
    await heartbeatPortsFromEnv(env).settings.clusterParametersRecord('c');
    expect(readsOf()).toEqual([true]);
  });

  it('the ports a heartbeat never uses are refused, naming where the heartbeat is wired', async () => {
    const ports = heartbeatPortsFromEnv(env);
    await expect(ports.users.get('u-1')).rejects.toThrow(/without the users port \(heartbeatPortsFrom/);
    await expect(ports.storage.check()).rejects.toThrow(/without the storage port/);
    expect(requests).toHaveLength(0);
  });
});
