import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { startEmbedded, type Embedded } from '../../local/embedded';
import { apiClient, ApiProblemError } from '../../lambdas/contract';

/**
 * Dependencies are passed in, never looked up in process-wide state: two embedded
 * defaults in one process (as a test or a tool may start) share nothing but the
 * DynamoDB Local they were pointed at, each with tables of its own.
 */
describe('two embedded defaults in one process', () => {
  const instances: Embedded[] = [];
  const lines: [string[], string[]] = [[], []];

  beforeAll(async () => {
    for (const i of [0, 1] as const) {
      instances.push(
        await startEmbedded({
          port: 0,
          dynamoEndpoint: inject('dynamoEndpoint'),
          tablePrefix: `twin${i}-${randomUUID().slice(0, 8)}`,
          sweepSeconds: 1,
          writeLine: (line) => lines[i].push(line),
        }),
      );
    }
  });
  afterAll(async () => {
    await Promise.all(instances.map((e) => e.stop()));
  });

  const client = (i: number, token = instances[i]!.adminToken) =>
    apiClient({ baseUrl: instances[i]!.url, token });

  const register = (i: number, nodeId: string) =>
    client(i).call('POST /v1/nodes', {
      body: {
        nodeId,
        hostname: `${nodeId}.example.com`,
        clusterId: 'c1',
        softwareVersion: '15.0',
        publisherId: 'p',
      },
    });

  it('keep their own data, tokens, heartbeat caches and events', async () => {
    const [a, b] = instances as [Embedded, Embedded];
    expect(a.url).not.toBe(b.url);

    // Data: a node and a group registered in one are unknown to the other.
    const { token: aToken } = await register(0, 'imp-a');
    await register(0, 'imp-b');
    await client(0).call('POST /v1/groups', {
      body: { name: 'prg-1', nodes: ['imp-a', 'imp-b'], highAvailability: true },
    });
    expect((await client(0).call('GET /v1/nodes')).nodes.map((n) => n.nodeId).sort()).toEqual([
      'imp-a',
      'imp-b',
    ]);
    expect((await client(1).call('GET /v1/nodes')).nodes).toEqual([]);
    await expect(client(1).call('GET /v1/groups/{name}', { path: { name: 'prg-1' } })).rejects.toMatchObject({
      status: 404,
    });

    // Tokens: one instance's admin token means nothing to the other.
    await expect(client(1, a.adminToken).call('GET /v1/nodes')).rejects.toBeInstanceOf(ApiProblemError);

    // The same node id registered in the other instance gets its own token; neither works across.
    const { token: bToken } = await register(1, 'imp-a');
    expect(bToken).not.toBe(aToken);
    const beat = (i: number, token: string) =>
      apiClient({ baseUrl: instances[i]!.url, token }).call('POST /v1/nodes/{nodeId}/heartbeat', {
        path: { nodeId: 'imp-a' },
        body: { bootId: 'boot-1', boot: 0, sequence: 1, services: {}, database: 'up' },
      });
    expect((await beat(0, aToken)).group).toBe('prg-1');
    expect((await beat(1, bToken)).group).toBeNull();
    await expect(beat(1, aToken)).rejects.toMatchObject({ status: 401 });
    // A's heartbeat cache holds imp-a now; B's must not answer from it.
    await expect(beat(0, bToken)).rejects.toMatchObject({ status: 401 });

    // Events: the state changes of A's group reach A's bus only.
    const aEvents = lines[0].filter((l) => l.includes('NodeStateChanged'));
    expect(aEvents.length).toBeGreaterThan(0);
    expect(lines[1].filter((l) => l.includes('NodeStateChanged'))).toEqual([]);
  });
});
