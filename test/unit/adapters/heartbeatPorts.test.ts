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

/** What each request asked for: its operation and JSON body, and who sent it. */
const requests: { target: string; body: Record<string, unknown>; userAgent: string }[] = [];
let server: Server;
let env: NodeJS.ProcessEnv;
/** When set, the endpoint refuses every request the AWS SDK did not send, with this error. */
let refuseOwn: 'InvalidSignatureException' | 'ValidationException' | null = null;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      requests.push({
        target: String(req.headers['x-amz-target']),
        body: JSON.parse(body) as Record<string, unknown>,
        userAgent: String(req.headers['user-agent'] ?? ''),
      });
      if (refuseOwn && !/aws-sdk-js/.test(String(req.headers['user-agent'] ?? ''))) {
        const refusal = { __type: `com.amazon.coral.service#${refuseOwn}`, message: `refused: ${refuseOwn}` };
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(refusal));
        return;
      }
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
  refuseOwn = null;
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

describe('which DynamoDB client a function uses', () => {
  it("by default the small signed client, not the AWS SDK's", async () => {
    await heartbeatPortsFromEnv(env).settings.clusterParameters('c');
    expect(requests).toHaveLength(1);
    expect(requests[0]!.userAgent).not.toMatch(/aws-sdk-js/);
  });

  it("PRG_DYNAMODB_CLIENT=sdk: the AWS SDK's, reading the same thing", async () => {
    await heartbeatPortsFromEnv({ ...env, PRG_DYNAMODB_CLIENT: 'sdk' }).settings.clusterParameters('c');
    expect(requests).toHaveLength(1);
    expect(requests[0]!.userAgent).toMatch(/aws-sdk-js/);
    expect(readsOf()).toEqual([false]);
  });
});

describe("when DynamoDB refuses the small client's signature", () => {
  it('the call goes through the AWS SDK instead, and so does every later one', async () => {
    refuseOwn = 'InvalidSignatureException';
    const ports = heartbeatPortsFromEnv(env);
    await ports.settings.clusterParameters('c');
    await ports.settings.clusterParameters('d');
    const sentBy = requests.map((r) => (/aws-sdk-js/.test(r.userAgent) ? 'sdk' : 'own'));
    expect(sentBy).toEqual(['own', 'sdk', 'sdk']);
    expect(readsOf()).toEqual([false, false, false]);
  });

  it("any other refusal is the caller's, not retried through the SDK", async () => {
    refuseOwn = 'ValidationException';
    const ports = heartbeatPortsFromEnv(env);
    await expect(ports.settings.clusterParameters('c')).rejects.toThrow(/refused: ValidationException/);
    expect(requests.map((r) => /aws-sdk-js/.test(r.userAgent))).toEqual([false]);
  });
});
