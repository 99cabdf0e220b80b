import { describe, expect, it } from 'vitest';
import { useTarget } from './support/target';
import { pair } from './support/agent';
import { waitForStates } from './support/states';

const env = useTarget();

describe('a deleted and re-created group never runs its workflows', () => {
  it('fail over, fall back, delete the group, create it again with the same name and nodes, fail over: the take-over completes', async () => {
    const p = await pair(env.api, env.t.url);
    try {
      await waitForStates(env.api, p.group, ['NORMAL/NORMAL', 'NORMAL/NORMAL']);
      const first = await env.api.post(`/v1/groups/${p.group}/failover`, { nodeId: p.a.nodeId });
      expect(first.status).toBe(202);
      await waitForStates(env.api, p.group, [
        'IDLE/ON_ADMIN_REQUEST',
        'RUNNING_IN_BACKUP_MODE/ON_ADMIN_REQUEST',
      ]);
      expect((await env.api.post(`/v1/groups/${p.group}/fallback`, { nodeId: p.a.nodeId })).status).toBe(202);
      await waitForStates(env.api, p.group, ['NORMAL/NORMAL', 'NORMAL/NORMAL']);

      expect((await env.api.delete(`/v1/groups/${p.group}`)).status).toBe(204);
      const again = await env.api.post('/v1/groups', {
        name: p.group,
        nodes: [p.a.nodeId, p.b.nodeId],
        highAvailability: true,
      });
      expect(again.status).toBe(201);
      await waitForStates(env.api, p.group, ['NORMAL/NORMAL', 'NORMAL/NORMAL']);

      const second = await env.api.post(`/v1/groups/${p.group}/failover`, { nodeId: p.a.nodeId });
      expect(second.status).toBe(202);
      await waitForStates(env.api, p.group, [
        'IDLE/ON_ADMIN_REQUEST',
        'RUNNING_IN_BACKUP_MODE/ON_ADMIN_REQUEST',
      ]);
      // Nor can a task of the old group's execution pass for the new group's operation.
      expect(second.body.operation.id).not.toBe(first.body.operation.id);
    } finally {
      p.stop();
    }
  });
});
