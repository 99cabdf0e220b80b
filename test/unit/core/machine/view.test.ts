import { describe, expect, it } from 'vitest';
import { NODE_STATES, newGroup, nodeViews, transition } from '../../../../lambdas/core';
import { FAST_PARAMETERS as p, PairSimulator, T0 } from '../../../support/pairSimulator';

describe('the group view of a node', () => {
  it('a single-node group (no high availability) shows the node’s facts, without state or recommended actions', () => {
    const hb = {
      bootId: 'solo-boot-1',
      boot: 1,
      sequence: 1,
      services: { 'Cisco SIP Proxy': 'running' as const },
      database: 'up' as const,
    };
    const g = transition(
      newGroup('solo', ['imp-s']),
      { type: 'Heartbeat', nodeId: 'imp-s', heartbeat: hb },
      T0,
      p,
    ).group;
    expect(nodeViews(g)).toEqual([
      {
        nodeId: 'imp-s',
        state: null,
        stateLabel: null,
        reason: null,
        reasonLabel: null,
        cause: null,
        recommendedActions: [],
        lastHeartbeatAt: '2026-11-24T10:00:00.000Z',
        services: { 'Cisco SIP Proxy': 'running' },
        database: 'up',
        serviceOrder: 'leave',
        // Its heartbeat carries no `heard`: an agent older than the acknowledgement.
        agentAcknowledges: false,
      },
    ]);
  });

  it('a node never heard from shows no last heartbeat', () => {
    expect(nodeViews(newGroup('prg-1', ['imp-a', 'imp-b'])).map((v) => v.lastHeartbeatAt)).toEqual([
      null,
      null,
    ]);
  });

  it('shows the manual’s labels beside the codes', () => {
    const sim = new PairSimulator().startNormal();
    sim.apply({ type: 'AdminFailover', nodeId: 'imp-a' });
    expect(sim.view('imp-a')).toMatchObject({
      state: 'FAILING_OVER',
      stateLabel: 'Failing Over',
      reason: 'ON_ADMIN_REQUEST',
      reasonLabel: 'On Admin Request',
      serviceOrder: 'stop',
    });
  });

  it('a node whose state has no Table 2 partner (a stored record with one managed node) gets its Table 1 description', () => {
    const g = new PairSimulator().startNormal().group;
    const oneManaged = {
      ...g,
      members: g.members.map((m) => (m.nodeId === 'imp-b' ? { ...m, state: null, reason: null } : m)),
    };
    const [a] = nodeViews(oneManaged);
    expect(a?.cause).toBe(NODE_STATES.NORMAL.description);
    expect(a?.recommendedActions).toEqual([]);
  });

  it('a stored pair that no Table 2 row describes still gets a sentence: each node’s Table 1 description', () => {
    const g = new PairSimulator().startNormal().group;
    const unlisted = {
      ...g,
      members: g.members.map((m) =>
        m.nodeId === 'imp-b' ? { ...m, state: 'TAKING_BACK' as const, reason: 'PEER_DOWN' as const } : m,
      ),
    };
    const [a] = nodeViews(unlisted);
    expect(a?.cause).toBe(
      `imp-a: ${NODE_STATES.NORMAL.description} imp-b: ${NODE_STATES.TAKING_BACK.description}`,
    );
    expect(a?.recommendedActions).toEqual([]);
  });

  it('recommended actions name the real group in the commands they suggest (Running in Failed Mode: recover it)', () => {
    const sim = new PairSimulator().startNormal();
    sim.failNextMove = 'the user store refused the move';
    sim.apply({ type: 'AdminFailover', nodeId: 'imp-a' });
    sim.run(3); // the failing node stops its services, then the move is tried and fails
    expect(sim.pair().map(([state]) => state)).toEqual(['RUNNING_IN_FAILED_MODE', 'RUNNING_IN_FAILED_MODE']);
    const actions = nodeViews(sim.group).flatMap((v) => v.recommendedActions);
    expect(actions.join('\n')).toContain('prg recover prg-1');
    expect(actions.join('\n')).not.toMatch(/<group>|<node[12]>/);
  });
});
