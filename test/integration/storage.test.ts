import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbedded, type Embedded } from '../../local/embedded';
import { apiClient } from '../../lambdas/contract';
import { eventually } from '../support/eventually';

/**
 * When DynamoDB Local dies under `npm start`, readiness says so (503 with a problem body),
 * data routes answer 503 rather than 500, the embedded default restarts it, says once
 * what happened, and everything answers again — with the data when it has a data directory.
 */
describe('storage dies under the embedded default', () => {
  let embedded: Embedded;
  const lines: string[] = [];
  const fatal: string[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'prg-storage-'));

  beforeAll(async () => {
    embedded = await startEmbedded({
      port: 0,
      dataDir,
      writeLine: (line) => lines.push(line),
      onFatal: (message) => fatal.push(message),
    });
  }, 120_000);
  afterAll(async () => {
    await embedded?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('readiness answers 503 while it is down, it is restarted with its data, and one line says each', async () => {
    const admin = apiClient({ baseUrl: embedded.url, token: embedded.adminToken });
    const health = () => fetch(`${embedded.url}/v1/health`);
    expect((await health()).status).toBe(200);
    await admin.call('POST /v1/nodes', {
      body: {
        nodeId: 'imp-a',
        hostname: 'imp-a.example.com',
        clusterId: 'c1',
        softwareVersion: '15.0',
        publisherId: 'p',
      },
    });

    const killed = embedded.dynamoDbLocal!.running;
    killed.process.kill('SIGKILL');
    await new Promise((resolve) => killed.process.once('exit', resolve));

    // While it is down: readiness and a data route both say storage does not answer.
    const down = await health();
    expect(down.status).toBe(503);
    expect(down.headers.get('content-type')).toBe('application/problem+json');
    expect((await down.json()) as { detail: string }).toMatchObject({
      detail: expect.stringMatching(/Storage does not answer/),
    });
    const listing = await fetch(`${embedded.url}/v1/nodes`, {
      headers: { authorization: `Bearer ${embedded.adminToken}` },
    });
    expect([503, 200]).toContain(listing.status); // 200 only if the restart already won the race

    // Back, with the node registered before the crash.
    await eventually(
      'readiness to answer 200 again',
      async () => ((await health()).status === 200 ? true : undefined),
      90_000,
    );
    expect((await admin.call('GET /v1/nodes/{nodeId}', { path: { nodeId: 'imp-a' } })).nodeId).toBe('imp-a');

    const logged = lines
      .filter((l) => l.includes('DynamoDB Local'))
      .map((l) => JSON.parse(l) as { level: string; message: string });
    expect(logged.map((l) => l.level)).toEqual(['WARN', 'INFO']);
    expect(logged[0]!.message).toMatch(/data directory is kept/);
    expect(fatal).toEqual([]);
  }, 150_000);
});
