import { describe, expect, it } from 'vitest';
import { EMBEDDED, eventually, useTarget } from './support/target';
import { pair } from './support/agent';
import { waitForStates } from './support/states';

const env = useTarget();

const NORMAL = ['NORMAL/NORMAL', 'NORMAL/NORMAL'];

describe.concurrent('faults a node reports, and what they lead to (embedded default)', () => {
  it('a critical service down past criticalServiceDelay: Failed Over with Critical Services not Running / Running in Backup Mode', async () => {
    const p = await pair(env.api, env.t.url);
    try {
      await waitForStates(env.api, p.group, NORMAL);
      p.a.crashed.add('Cisco Presence Engine');
      const view = await waitForStates(env.api, p.group, [
        'FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING/CRITICAL_SERVICE_DOWN',
        'RUNNING_IN_BACKUP_MODE/CRITICAL_SERVICE_DOWN',
      ]);
      expect(view.nodes[0].recommendedActions[0]).toContain(
        `critical service that is down on node ${p.a.nodeId}`,
      );
      expect(view.nodes[0].recommendedActions.join(' ')).toContain(`\`prg fallback ${p.a.nodeId}\``);
    } finally {
      p.stop();
    }
  });

  it('database failure: Failed Over with Critical Services not Running (Database Failure)', async () => {
    const p = await pair(env.api, env.t.url);
    try {
      await waitForStates(env.api, p.group, NORMAL);
      p.b.database = 'down';
      await waitForStates(env.api, p.group, [
        'RUNNING_IN_BACKUP_MODE/DATABASE_FAILURE',
        'FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING/DATABASE_FAILURE',
      ]);
    } finally {
      p.stop();
    }
  });

  it('a node that announced a reboot and went silent: Running in Backup Mode (Peer Reboot)', async () => {
    const p = await pair(env.api, env.t.url);
    try {
      await waitForStates(env.api, p.group, NORMAL);
      p.a.notice = 'reboot';
      await p.a.beat();
      p.a.silent = true;
      await waitForStates(env.api, p.group, ['DOWN/PEER_REBOOT', 'RUNNING_IN_BACKUP_MODE/PEER_REBOOT']);
    } finally {
      p.stop();
    }
  });

  it('a node never heard from: its peer takes over after initializationKeepAliveTimeout (Peer Down During Initialization)', async () => {
    const p = await pair(env.api, env.t.url, { start: false, ha: false });
    try {
      await p.a.beat();
      p.a.start();
      const created = await env.api.post('/v1/groups', {
        name: `${p.group}-x`,
        nodes: [p.a.nodeId, p.b.nodeId],
        highAvailability: true,
      });
      expect(created.status).toBe(201);
      await waitForStates(env.api, `${p.group}-x`, ['NORMAL/NORMAL', 'INITIALIZING/INITIALIZATION']);
      await waitForStates(env.api, `${p.group}-x`, [
        'RUNNING_IN_BACKUP_MODE/PEER_DOWN_DURING_INITIALIZATION',
        'DOWN/INITIALIZATION',
      ]);
    } finally {
      p.stop();
    }
  });

  it('start of critical services failed while taking back: both Running in Failed Mode; recovery brings both Normal', async () => {
    const p = await pair(env.api, env.t.url);
    try {
      await waitForStates(env.api, p.group, NORMAL);
      await env.api.post(`/v1/groups/${p.group}/failover`, { nodeId: p.a.nodeId });
      await waitForStates(env.api, p.group, [
        'IDLE/ON_ADMIN_REQUEST',
        'RUNNING_IN_BACKUP_MODE/ON_ADMIN_REQUEST',
      ]);
      // As ordered, the idle node has stopped its services, and said so in a heartbeat.
      await eventually('the idle node to report its services stopped', async () => {
        const node = await env.api.get(`/v1/nodes/${p.a.nodeId}`);
        return node.body.services['Cisco SIP Proxy'] === 'stopped' ? true : undefined;
      });
      p.a.canStart = false;
      expect((await env.api.post(`/v1/groups/${p.group}/fallback`, { nodeId: p.a.nodeId })).status).toBe(202);
      await waitForStates(env.api, p.group, [
        'TAKING_BACK/ON_ADMIN_REQUEST',
        'FALLING_BACK/ON_ADMIN_REQUEST',
      ]);
      await waitForStates(env.api, p.group, [
        'RUNNING_IN_FAILED_MODE/START_OF_CRITICAL_SERVICES_FAILED',
        'RUNNING_IN_FAILED_MODE/START_OF_CRITICAL_SERVICES_FAILED',
      ]);
      p.a.canStart = true;
      expect((await env.api.post(`/v1/groups/${p.group}/recover`)).status).toBe(202);
      await waitForStates(env.api, p.group, NORMAL);
    } finally {
      p.stop();
    }
  });

  it.runIf(EMBEDDED)(
    'take-over users failed (fault injected by the test switch): both Running in Failed Mode, then recovered',
    async () => {
      const p = await pair(env.api, env.t.url);
      try {
        await waitForStates(env.api, p.group, NORMAL);
        const inject = await env.api.request('POST', '/_test/faults', {
          body: { group: p.group, task: 'moveUsers' },
        });
        expect(inject.status).toBe(204);
        expect((await env.api.post(`/v1/groups/${p.group}/failover`, { nodeId: p.a.nodeId })).status).toBe(
          202,
        );
        const failed = await waitForStates(env.api, p.group, [
          'RUNNING_IN_FAILED_MODE/TAKE_OVER_USERS_FAILED',
          'RUNNING_IN_FAILED_MODE/TAKE_OVER_USERS_FAILED',
        ]);
        expect(failed.nodes[0].recommendedActions.join(' ')).toContain('`prg recover ');
        expect((await env.api.post(`/v1/groups/${p.group}/recover`)).status).toBe(202);
        await waitForStates(env.api, p.group, NORMAL);
      } finally {
        p.stop();
      }
    },
  );

  it('SRM restart of the idle node: Idle (Initialization) / Running in Backup Mode (On Admin Request)', async () => {
    const p = await pair(env.api, env.t.url);
    try {
      await waitForStates(env.api, p.group, NORMAL);
      await env.api.post(`/v1/groups/${p.group}/failover`, { nodeId: p.a.nodeId });
      await waitForStates(env.api, p.group, [
        'IDLE/ON_ADMIN_REQUEST',
        'RUNNING_IN_BACKUP_MODE/ON_ADMIN_REQUEST',
      ]);
      p.a.restartSrm();
      await waitForStates(env.api, p.group, [
        'IDLE/INITIALIZATION',
        'RUNNING_IN_BACKUP_MODE/ON_ADMIN_REQUEST',
      ]);
      p.b.restartSrm();
      await waitForStates(env.api, p.group, ['IDLE/INITIALIZATION', 'RUNNING_IN_BACKUP_MODE/INITIALIZATION']);
    } finally {
      p.stop();
    }
  });

  it('enabling HA with critical services down on one node: that node fails over to the other', async () => {
    const p = await pair(env.api, env.t.url, { ha: false, before: (a) => a.crashed.add('Cisco Sync Agent') });
    try {
      const created = await env.api.post('/v1/groups', {
        name: p.group,
        nodes: [p.a.nodeId, p.b.nodeId],
        highAvailability: true,
      });
      expect(created.status).toBe(201);
      await waitForStates(env.api, p.group, [
        'FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING/CRITICAL_SERVICE_DOWN',
        'RUNNING_IN_BACKUP_MODE/CRITICAL_SERVICE_DOWN',
      ]);
    } finally {
      p.stop();
    }
  });

  it('enabling HA with critical services down on both nodes: both Running in Failed Mode', async () => {
    const p = await pair(env.api, env.t.url, {
      ha: false,
      before: (a, b) => {
        a.crashed.add('Cisco Sync Agent');
        b.crashed.add('Cisco SIP Proxy');
      },
    });
    try {
      const created = await env.api.post('/v1/groups', { name: p.group, nodes: [p.a.nodeId, p.b.nodeId] });
      expect(created.status).toBe(201);
      expect((await env.api.patch(`/v1/groups/${p.group}`, { highAvailability: true })).status).toBe(200);
      await waitForStates(env.api, p.group, [
        'RUNNING_IN_FAILED_MODE/CRITICAL_SERVICE_DOWN',
        'RUNNING_IN_FAILED_MODE/CRITICAL_SERVICE_DOWN',
      ]);
    } finally {
      p.stop();
    }
  });
});
