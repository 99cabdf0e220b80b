import { beforeEach, describe, expect, it } from 'vitest';
import { apiHarness, type ApiHarness } from '../../support/apiHarness';
import { beat, FAST, registerNode, states, type NodeAgent } from '../../support/apiPair';

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
});

const READ = { scopes: ['prg/read'] };

/** A heartbeat as an agent of the release before the acknowledgement sends it: no `heard` field. */
const oldBeat = (n: NodeAgent) => beat(h, n, { olderAgent: true });

describe('a heartbeat from an agent older than the acknowledgement (fleet being upgraded)', () => {
  it('is accepted, the group view says the agent is too old to acknowledge, and its node is still failed over when it falls silent', async () => {
    expect((await h.call('PATCH', '/v1/clusters/c1/parameters', { body: FAST })).status).toBe(200);
    const a = await registerNode(h, 'imp-a');
    const b = await registerNode(h, 'imp-b');
    await beat(h, a);
    expect((await oldBeat(b)).status).toBe(200);
    const created = await h.call('POST', '/v1/groups', {
      body: { name: 'prg-1', nodes: ['imp-a', 'imp-b'], highAvailability: true },
    });
    expect(created.status).toBe(201);
    for (let i = 0; i < 2; i++) {
      h.clock.t += 1000;
      await beat(h, a);
      const res = await oldBeat(b);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ group: 'prg-1', state: 'NORMAL', serviceOrder: 'leave' });
    }
    const view = (await h.call('GET', '/v1/groups/prg-1', READ)).body;
    expect(view.nodes.map((n: { agentAcknowledges: boolean | null }) => n.agentAcknowledges)).toEqual([
      true,
      false,
    ]);
    // Its steady heartbeats stay one conditional write, as a new agent's.
    h.clock.t += 1000;
    h.dynamoCalls.length = 0;
    expect((await oldBeat(b)).status).toBe(200);
    expect(h.dynamoCalls).toEqual(['UpdateItemCommand']);

    // imp-b crashes: as in the release before, its silence past keepAliveTimeout moves its users.
    for (let s = 0; s < 30; s++) {
      h.clock.t += 1000;
      await beat(h, a);
      const group = (await h.call('GET', '/v1/groups/prg-1', READ)).body;
      if (group.failedOver === 'imp-b' && !group.operation) break;
      if (group.operation?.phase === 'MOVE_USERS') {
        expect(group.operation).toMatchObject({ kind: 'TAKE_OVER', fromNode: 'imp-b' });
        await h.runTask({ task: 'moveUsers', group: 'prg-1', operationId: group.operation.id });
      }
    }
    expect(await states(h)).toEqual([
      ['RUNNING_IN_BACKUP_MODE', 'PEER_DOWN'],
      ['DOWN', 'PEER_DOWN'],
    ]);
  });
});

describe('the first heartbeat of an upgraded agent', () => {
  it('marks its node as acknowledging even when what it acknowledges does not count, and not through the one-write path', async () => {
    expect((await h.call('PATCH', '/v1/clusters/c1/parameters', { body: FAST })).status).toBe(200);
    const a = await registerNode(h, 'imp-a');
    const b = await registerNode(h, 'imp-b');
    await beat(h, a);
    await oldBeat(b);
    const created = await h.call('POST', '/v1/groups', {
      body: { name: 'prg-1', nodes: ['imp-a', 'imp-b'], highAvailability: true },
    });
    expect(created.status).toBe(201);
    for (let i = 0; i < 2; i++) {
      h.clock.t += 1000;
      await beat(h, a);
      await oldBeat(b);
    }
    // Same boot, now with `heard` naming an answer of no HA group: nothing it acknowledges
    // counts, but the node is marked as acknowledging, which only the state machine writes.
    h.clock.t += 1000;
    b.heard = { group: null, incarnation: null, epoch: 0 };
    h.dynamoCalls.length = 0;
    expect((await beat(h, b)).status).toBe(200);
    expect(h.dynamoCalls).not.toEqual(['UpdateItemCommand']);
    const view = (await h.call('GET', '/v1/groups/prg-1', READ)).body;
    expect(view.nodes.map((n: { agentAcknowledges: boolean | null }) => n.agentAcknowledges)).toEqual([
      true,
      true,
    ]);
  });
});
