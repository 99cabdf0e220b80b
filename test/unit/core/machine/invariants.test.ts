import { describe, expect, it } from 'vitest';
import { GroupInvariantError, transition, type GroupState } from '../../../../lambdas/core';
import { FAST_PARAMETERS as p, PairSimulator } from '../../../support/pairSimulator';

const A = 'imp-a';
const B = 'imp-b';

/** A group with HA on whose stored record lost the member record of node 2. */
function missingMember(): GroupState {
  const g = new PairSimulator().startNormal().group;
  return { ...g, members: g.members.filter((m) => m.nodeId !== B) };
}

describe('a stored group that breaks its own invariants', () => {
  it('refuses a heartbeat when the peer’s record is missing, and changes nothing', () => {
    const g = missingMember();
    const stored = structuredClone(g);
    const hb = { bootId: 'imp-a-boot-1', boot: 1, sequence: 99, services: {}, database: 'up' as const };
    const apply = () => transition(g, { type: 'Heartbeat', nodeId: A, heartbeat: hb }, Date.now(), p);
    expect(apply).toThrow(GroupInvariantError);
    expect(apply).toThrow(
      'Group prg-1 is inconsistent: node imp-a has no peer. Nothing was changed; check the stored group record.',
    );
    expect(g).toEqual(stored);
  });

  it('refuses a recovery when a member record is missing', () => {
    const g = missingMember();
    expect(() => transition(g, { type: 'AdminRecover' }, Date.now(), p)).toThrow(
      /high availability needs two members/,
    );
  });

  it('refuses to complete a workflow whose node is no longer a member', () => {
    const sim = new PairSimulator().startNormal();
    sim.autoWorkflows = false;
    sim.apply({ type: 'AdminFailover', nodeId: A });
    // Told to stop, then reporting its services stopped: the users may move.
    sim.heartbeat(A);
    sim.heartbeat(A);
    const op = sim.group.operation!;
    expect(op.phase).toBe('MOVE_USERS');
    const broken = { ...sim.group, members: sim.group.members.filter((m) => m.nodeId !== B) };
    const event = { type: 'WorkflowStepSucceeded' as const, operationId: op.id, step: 'MOVE_USERS' as const };
    let error: unknown;
    try {
      transition(broken, event, sim.now, p);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GroupInvariantError);
    expect((error as GroupInvariantError).group).toBe('prg-1');
    expect((error as GroupInvariantError).name).toBe('GroupInvariantError');
    expect((error as GroupInvariantError).message).toMatch(/node imp-b is not a member/);
  });
});
