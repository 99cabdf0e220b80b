import { beforeEach, describe, expect, it } from 'vitest';
import { issueNodeToken } from '../../../lambdas/app';
import { apiHarness, type ApiHarness } from '../../support/apiHarness';
import { beat, normalPair, registerNode, states } from '../../support/apiPair';
import { obeyStop } from '../../support/obeyStopApi';

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
});

describe('POST /v1/nodes/{nodeId}/heartbeat', () => {
  it('a steady-state heartbeat is one DynamoDB write and no read', async () => {
    const { a, b } = await normalPair(h);
    h.clock.t += 1000;
    await beat(h, a); // the first heartbeat of a cold function learns the node's group
    await beat(h, b);
    h.clock.t += 1000;
    h.dynamoCalls.length = 0;
    const res = await beat(h, a);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      group: 'prg-1',
      incarnation: expect.any(String),
      state: 'NORMAL',
      reason: 'NORMAL',
      epoch: 0,
      serviceOrder: 'leave',
      nextHeartbeatSeconds: 1,
      keepAliveTimeoutSeconds: 3,
      fenceAfterSeconds: 2.4,
      serviceStopSeconds: 0,
    });
    expect(h.dynamoCalls).toEqual(['UpdateItemCommand']);
    // Steady for as long as both nodes keep talking: the sweep's index is not rewritten.
    for (let i = 0; i < 5; i++) {
      h.clock.t += 1000;
      h.dynamoCalls.length = 0;
      await beat(h, a);
      await beat(h, b);
      expect(h.dynamoCalls).toEqual(['UpdateItemCommand', 'UpdateItemCommand']);
    }
  });

  it('stays one write per heartbeat through a manual failover: the idle node reports its services stopped', async () => {
    const { a, b } = await normalPair(h);
    const f = await h.call('POST', '/v1/groups/prg-1/failover', { body: { nodeId: 'imp-a' } });
    await obeyStop(h, a);
    await h.runTask({ task: 'moveUsers', group: 'prg-1', operationId: f.body.operation.id });
    for (let i = 0; i < 2; i++) {
      h.clock.t += 1000;
      await beat(h, a);
      await beat(h, b);
    }
    // Well past criticalServiceDelay: an Idle node's stopped services are not a fault to time.
    for (let i = 0; i < 5; i++) {
      h.clock.t += 1000;
      h.dynamoCalls.length = 0;
      expect((await beat(h, a)).body).toMatchObject({ state: 'IDLE', serviceOrder: 'stop' });
      expect((await beat(h, b)).body).toMatchObject({ state: 'RUNNING_IN_BACKUP_MODE' });
      expect(h.dynamoCalls).toEqual(['UpdateItemCommand', 'UpdateItemCommand']);
    }
  });

  it("detects the peer's lost heartbeat on the next heartbeat, without waiting for the sweep", async () => {
    const { a, b } = await normalPair(h);
    h.clock.t += 1000;
    await beat(h, a);
    await beat(h, b);
    // b falls silent; a goes on at its interval and notices after keepAliveTimeout (3 s).
    for (let s = 0; s < 3; s++) {
      h.clock.t += 1000;
      expect((await beat(h, a)).body.state).toBe('NORMAL');
    }
    h.clock.t += 1000;
    const res = await beat(h, a);
    expect(res.body.state).toBe('TAKING_OVER');
    expect(res.body.reason).toBe('PEER_DOWN');
    expect(h.started()).toEqual([
      expect.objectContaining({ workflow: 'TAKE_OVER', fromNode: 'imp-b', toNode: 'imp-a', group: 'prg-1' }),
    ]);
    expect(await states(h)).toEqual([
      ['TAKING_OVER', 'PEER_DOWN'],
      ['DOWN', 'PEER_DOWN'],
    ]); // Detected on the first heartbeat after keepAliveTimeout (3 s): 4 s after b's last heartbeat.
    expect(h.metrics).toEqual([
      ['Failovers', 1],
      ['DetectionLatency', 4],
    ]);
  });

  it('a critical service reported down is recorded at once and fails over after criticalServiceDelay', async () => {
    const { a, b } = await normalPair(h);
    a.services['Cisco SIP Proxy'] = 'stopped';
    h.clock.t += 1000;
    expect((await beat(h, a)).body.state).toBe('NORMAL');
    await beat(h, b);
    h.clock.t += 2000;
    await beat(h, b);
    const res = await beat(h, a);
    expect(res.body).toMatchObject({
      state: 'FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING',
      reason: 'CRITICAL_SERVICE_DOWN',
    });
  });

  it('a node in no group is recorded and answered with nulls and leave', async () => {
    const n = await registerNode(h, 'imp-x');
    const res = await beat(h, n);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      group: null,
      incarnation: null,
      state: null,
      reason: null,
      epoch: 0,
      serviceOrder: 'leave',
      nextHeartbeatSeconds: 15,
      keepAliveTimeoutSeconds: 60,
      fenceAfterSeconds: 59.4,
      serviceStopSeconds: 0,
    });
    const shown = await h.call('GET', '/v1/nodes/imp-x', { scopes: ['prg/read'] });
    expect(shown.body.lastHeartbeatAt).toBe(new Date(h.clock.t).toISOString());
    expect(shown.body.services['Cisco XCP Router']).toBe('running');
  });

  it('an idle node is ordered to stop its services', async () => {
    const { a, b } = await normalPair(h);
    const f = await h.call('POST', '/v1/groups/prg-1/failover', { body: { nodeId: 'imp-a' } });
    expect(f.status).toBe(202);
    await obeyStop(h, a);
    await h.runTask({ task: 'moveUsers', group: 'prg-1', operationId: f.body.operation.id });
    h.clock.t += 1000;
    await beat(h, b);
    const res = await beat(h, a);
    expect(res.body).toMatchObject({
      state: 'IDLE',
      reason: 'ON_ADMIN_REQUEST',
      serviceOrder: 'stop',
      epoch: 2,
    });
  });

  it('an older sequence of the same boot is acknowledged and ignored', async () => {
    const { a } = await normalPair(h);
    a.services['Cisco SIP Proxy'] = 'stopped';
    a.sequence = 0; // replays sequence 1, already seen
    const res = await beat(h, a);
    expect(res.status).toBe(200);
    const node = await h.call('GET', '/v1/nodes/imp-a', { scopes: ['prg/read'] });
    expect(node.body.services['Cisco SIP Proxy']).toBe('running');
  });

  it('401 for an unregistered node or a bad token, 403 for another node’s token, 400 for a bad body', async () => {
    const { a, b } = await normalPair(h);
    // A token signed by this deployment for a node that is not registered (say, deleted since).
    const ghost = await h.call('POST', '/v1/nodes/ghost/heartbeat', {
      token: issueNodeToken(await h.ports.nodeTokens.keyRing(), 'ghost', 1),
      scopes: null,
      body: { bootId: 'x', boot: 0, sequence: 1, database: 'up' },
    });
    expect(ghost.status).toBe(401);
    const bad = await beat(h, { ...a, token: 'prgn.nope.nope' });
    expect(bad.status).toBe(401);
    expect(bad.contentType).toBe('application/problem+json');
    const none = await h.call('POST', '/v1/nodes/imp-a/heartbeat', {
      scopes: null,
      body: { bootId: 'x', boot: 0, sequence: 9, database: 'up' },
    });
    expect(none.status).toBe(401);
    const other = await beat(h, { ...a, token: b.token });
    expect(other.status).toBe(403);
    expect(other.body.detail).toContain('imp-b');
    const invalid = await h.call('POST', '/v1/nodes/imp-a/heartbeat', {
      token: a.token,
      scopes: null,
      body: { bootId: 'x', boot: 0, sequence: -1, database: 'maybe' },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['database', 'sequence']);
  });

  it('a rotated token stops working at once, even on the one-write path', async () => {
    const { a } = await normalPair(h);
    h.clock.t += 1000;
    await beat(h, a);
    const old = a.token;
    const rotated = await h.call('POST', '/v1/nodes/imp-a/token');
    expect(rotated.status).toBe(200);
    h.clock.t += 1000;
    expect((await beat(h, { ...a, token: old })).status).toBe(401);
    expect((await beat(h, { ...a, token: rotated.body.token })).status).toBe(200);
  });

  it('a token rotated while another request is deciding for the group: the old token stays refused, the new one gets the one-write path', async () => {
    const { a, b } = await normalPair(h);
    h.clock.t += 1000;
    await beat(h, a);
    await beat(h, b);
    // b's next heartbeat reports a fault, so it reads, decides and writes the group; the
    // rotation of a's token happens between its read and its write.
    const groups = h.ports.groups;
    const get = groups.get.bind(groups);
    let rotated = '';
    groups.get = async (name: string) => {
      const read = await get(name);
      if (!rotated) {
        rotated = 'pending';
        const res = await h.call('POST', '/v1/nodes/imp-a/token');
        expect(res.status).toBe(200);
        rotated = res.body.token;
      }
      return read;
    };
    h.clock.t += 1000;
    b.services['Cisco SIP Proxy'] = 'stopped';
    expect((await beat(h, b)).status).toBe(200);
    groups.get = get;
    const old = a.token;
    a.token = rotated;
    h.clock.t += 1000;
    expect((await beat(h, a)).status).toBe(200);
    h.dynamoCalls.length = 0;
    expect((await beat(h, a)).status).toBe(200);
    expect(h.dynamoCalls).toEqual(['UpdateItemCommand']);
    expect((await beat(h, { ...a, token: old })).status).toBe(401);
  });
});
