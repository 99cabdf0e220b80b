import { describe, expect, it } from 'vitest';
import { eventually, useTarget } from './support/target';
import { pair } from './support/agent';
import { pairStates, waitForStates } from './support/states';

const env = useTarget();

describe.concurrent('failover and fallback over HTTP (embedded default)', () => {
  it('peer heartbeat lost: Down / Running in Backup Mode (Peer Down), users on the peer; back: Failed Over; manual fallback: both Normal, users home', async () => {
    const p = await pair(env.api, env.t.url);
    try {
      await waitForStates(env.api, p.group, ['NORMAL/NORMAL', 'NORMAL/NORMAL']);
      const user = await env.api.post('/v1/users', { userId: `u-${p.group}`, clusterId: p.cluster });
      expect(user.status).toBe(201);
      const home = user.body.homeNode;
      const [away, peer] = home === p.a.nodeId ? [p.a, p.b] : [p.b, p.a];
      const order = home === p.a.nodeId ? (x: string[]) => x : (x: string[]) => [x[1]!, x[0]!];
      away.silent = true;
      await waitForStates(env.api, p.group, order(['DOWN/PEER_DOWN', 'RUNNING_IN_BACKUP_MODE/PEER_DOWN']));
      expect((await env.api.get(`/v1/users/u-${p.group}`)).body.currentNode).toBe(peer.nodeId);
      away.silent = false;
      await waitForStates(
        env.api,
        p.group,
        order(['FAILED_OVER/PEER_DOWN', 'RUNNING_IN_BACKUP_MODE/PEER_DOWN']),
      );
      const fb = await env.api.post(`/v1/groups/${p.group}/fallback`, { nodeId: away.nodeId });
      expect(fb.status).toBe(202);
      await waitForStates(env.api, p.group, ['NORMAL/NORMAL', 'NORMAL/NORMAL']);
      expect((await env.api.get(`/v1/users/u-${p.group}`)).body.currentNode).toBe(home);
    } finally {
      p.stop();
    }
  });

  it('manual failover: Idle / Running in Backup Mode, and the idle node is told to stop its services', async () => {
    const p = await pair(env.api, env.t.url);
    try {
      await waitForStates(env.api, p.group, ['NORMAL/NORMAL', 'NORMAL/NORMAL']);
      const f = await env.api.post(`/v1/groups/${p.group}/failover`, { nodeId: p.a.nodeId });
      expect(f.status).toBe(202);
      await waitForStates(env.api, p.group, [
        'IDLE/ON_ADMIN_REQUEST',
        'RUNNING_IN_BACKUP_MODE/ON_ADMIN_REQUEST',
      ]);
      await eventually('the stop order', async () => (p.a.last?.serviceOrder === 'stop' ? true : undefined));
      expect(p.a.services()['Cisco SIP Proxy']).toBe('stopped');
      // Its stopped services are what it was told to do, not a fault: it stays Idle.
      await new Promise((r) => setTimeout(r, 3_000));
      expect(await pairStates(env.api, p.group)).toEqual([
        'IDLE/ON_ADMIN_REQUEST',
        'RUNNING_IN_BACKUP_MODE/ON_ADMIN_REQUEST',
      ]);
    } finally {
      p.stop();
    }
  });

  it('automatic fallback after automaticFallbackDelay of health', async () => {
    const p = await pair(env.api, env.t.url, { params: { enableAutomaticFallback: true } });
    try {
      await waitForStates(env.api, p.group, ['NORMAL/NORMAL', 'NORMAL/NORMAL']);
      p.a.crashed.add('Cisco XCP Router');
      await waitForStates(env.api, p.group, [
        'FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING/CRITICAL_SERVICE_DOWN',
        'RUNNING_IN_BACKUP_MODE/CRITICAL_SERVICE_DOWN',
      ]);
      p.a.crashed.clear();
      await waitForStates(env.api, p.group, [
        'FAILED_OVER/CRITICAL_SERVICE_DOWN',
        'RUNNING_IN_BACKUP_MODE/CRITICAL_SERVICE_DOWN',
      ]);
      const history = async () => (await env.api.get(`/v1/groups/${p.group}/history?limit=50`)).body.history;
      await waitForStates(env.api, p.group, ['NORMAL/NORMAL', 'NORMAL/NORMAL']);
      expect((await history()).some((h: { reason: string }) => h.reason === 'AUTOMATIC_FALLBACK')).toBe(true);
    } finally {
      p.stop();
    }
  });

  it('automatic fallback is cancelled by a new fault during the wait', async () => {
    const p = await pair(env.api, env.t.url, {
      // Long enough that the new fault lands inside the wait even on a loaded machine.
      params: { enableAutomaticFallback: true, automaticFallbackDelay: 10 },
    });
    try {
      await waitForStates(env.api, p.group, ['NORMAL/NORMAL', 'NORMAL/NORMAL']);
      p.a.crashed.add('Cisco XCP Router');
      await waitForStates(env.api, p.group, [
        'FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING/CRITICAL_SERVICE_DOWN',
        'RUNNING_IN_BACKUP_MODE/CRITICAL_SERVICE_DOWN',
      ]);
      p.a.crashed.clear();
      const ready = await waitForStates(env.api, p.group, [
        'FAILED_OVER/CRITICAL_SERVICE_DOWN',
        'RUNNING_IN_BACKUP_MODE/CRITICAL_SERVICE_DOWN',
      ]);
      expect(ready.automaticFallbackAt).not.toBeNull();
      await new Promise((r) => setTimeout(r, 1_500));
      p.a.database = 'down';
      await waitForStates(env.api, p.group, [
        'FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING/CRITICAL_SERVICE_DOWN',
        'RUNNING_IN_BACKUP_MODE/CRITICAL_SERVICE_DOWN',
      ]);
      // Well past the original due time: still failed over, no fallback happened.
      const due = Date.parse(ready.automaticFallbackAt);
      await new Promise((r) => setTimeout(r, Math.max(0, due + 2_000 - Date.now())));
      const view = (await env.api.get(`/v1/groups/${p.group}`)).body;
      expect(view.nodes[1].state).toBe('RUNNING_IN_BACKUP_MODE');
      expect(view.automaticFallbackAt).toBeNull();
    } finally {
      p.stop();
    }
  }, 45_000);

  it('20 concurrent failover requests: exactly one 202, the others 409, states consistent afterwards', async () => {
    const p = await pair(env.api, env.t.url);
    try {
      await waitForStates(env.api, p.group, ['NORMAL/NORMAL', 'NORMAL/NORMAL']);
      const replies = await Promise.all(
        Array.from({ length: 20 }, () =>
          env.api.post(`/v1/groups/${p.group}/failover`, { nodeId: p.a.nodeId }),
        ),
      );
      expect(replies.filter((r) => r.status === 202)).toHaveLength(1);
      expect(replies.filter((r) => r.status === 409)).toHaveLength(19);
      await waitForStates(env.api, p.group, [
        'IDLE/ON_ADMIN_REQUEST',
        'RUNNING_IN_BACKUP_MODE/ON_ADMIN_REQUEST',
      ]);
      const history = (await env.api.get(`/v1/groups/${p.group}/history?limit=100`)).body.history;
      expect(history.filter((h: { to: string }) => h.to === 'FAILING_OVER')).toHaveLength(1);
    } finally {
      p.stop();
    }
  });
});
