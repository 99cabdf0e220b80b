import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEmbedded } from '../../local/embedded';
import { Api, EMBEDDED } from './support/target';

describe.runIf(EMBEDDED)('PRG_DATA_DIR', () => {
  it('keeps nodes, groups and parameters across a restart of the embedded default', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prg-data-'));
    const tokens = { adminToken: 'prg_admin_persist', readToken: 'prg_read_persist' };
    try {
      const first = await startEmbedded({ port: 0, dataDir: dir, writeLine: () => undefined, ...tokens });
      const api1 = new Api(first);
      expect((await api1.patch('/v1/clusters/c9/parameters', { keepAliveInterval: 7 })).status).toBe(200);
      for (const id of ['keep-a', 'keep-b']) {
        const r = await api1.post('/v1/nodes', {
          nodeId: id,
          hostname: `${id}.example.com`,
          clusterId: 'c9',
          softwareVersion: '1',
          publisherId: 'p',
        });
        expect(r.status).toBe(201);
      }
      expect((await api1.post('/v1/groups', { name: 'kept', nodes: ['keep-a', 'keep-b'] })).status).toBe(201);
      await first.stop();

      const second = await startEmbedded({ port: 0, dataDir: dir, writeLine: () => undefined, ...tokens });
      try {
        const api2 = new Api(second);
        expect(
          (await api2.get('/v1/groups/kept')).body.nodes.map((n: { nodeId: string }) => n.nodeId),
        ).toEqual(['keep-a', 'keep-b']);
        expect((await api2.get('/v1/clusters/c9/parameters')).body.keepAliveInterval).toBe(7);
        expect((await api2.get('/v1/nodes/keep-a')).body.group).toBe('kept');
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
