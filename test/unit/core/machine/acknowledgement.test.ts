import { describe, expect, it } from 'vitest';
import { findRow } from '../../../../lambdas/core/catalogue/table2';
import { nodeViews } from '../../../../lambdas/core';
import { FAST_PARAMETERS, PairSimulator } from '../../../support/pairSimulator';

const A = 'imp-a';
const B = 'imp-b';

const states = (sim: PairSimulator) => sim.group.members.map((m) => [m.state, m.reason]);

/** A failed over by hand to B: A Idle, B Running in Backup Mode serving A's users. */
function failedOverPair(): PairSimulator {
  const sim = new PairSimulator().startNormal();
  sim.apply({ type: 'AdminFailover', nodeId: A });
  sim.run(8);
  expect(sim.group.failedOver).toBe(A);
  expect(states(sim)).toEqual([
    ['IDLE', 'ON_ADMIN_REQUEST'],
    ['RUNNING_IN_BACKUP_MODE', 'ON_ADMIN_REQUEST'],
  ]);
  return sim;
}

describe('issue 9, open gap: users moved away from a node that cannot be told', () => {
  it('fallback to a node that cannot be told: the users stay on the backup until it acknowledges that it is falling back', () => {
    const sim = failedOverPair();
    // B's heartbeats arrive, but their answers are lost: it does not hear the fallback.
    sim.node(B).answersLost = true;
    sim.apply({ type: 'AdminFallback', nodeId: A });
    sim.run(2);
    // A has started its services and is healthy; B still serves A's users and does not know.
    expect(sim.group.operation?.kind).toBe('FALL_BACK');
    expect(sim.group.failedOver).toBe(A);
    expect(states(sim)).toEqual([
      ['TAKING_BACK', 'ON_ADMIN_REQUEST'],
      ['FALLING_BACK', 'ON_ADMIN_REQUEST'],
    ]);
    // B hears it is falling back and says so in its next heartbeat: the users go home.
    sim.node(B).answersLost = false;
    sim.run(3);
    expect(sim.group.failedOver).toBeNull();
    expect(states(sim)).toEqual([
      ['NORMAL', 'NORMAL'],
      ['NORMAL', 'NORMAL'],
    ]);
  });

  it('fallback to a node that cannot be told: a backup whose agent stopped acknowledging (downgraded) keeps the users, the fallback fails', () => {
    const sim = failedOverPair();
    // B's agent acknowledged before, then is replaced by one too old to acknowledge: it is
    // held to the acknowledgement for good, so its users stay rather than be served twice.
    sim.node(B).heard = undefined;
    sim.run(1);
    sim.apply({ type: 'AdminFallback', nodeId: A });
    sim.run(sim.params.initializationKeepAliveTimeout + 2);
    expect(sim.group.failedOver).toBe(A);
    expect(sim.group.lastOperation?.outcome).toBe('failed');
    expect(states(sim).map(([s]) => s)).toEqual(['RUNNING_IN_FAILED_MODE', 'RUNNING_IN_FAILED_MODE']);
  });

  it('HA enabled while answers are lost: a node never told of the group is not failed over when it falls silent', () => {
    const sim = new PairSimulator();
    sim.beatAll();
    sim.run(2);
    // Every answer to B telling it of the group is lost: its agent, last told "no HA
    // group", never fences.
    sim.node(B).answersLost = true;
    sim.apply({ type: 'EnableHa' });
    sim.run(3);
    expect(states(sim)).toEqual([
      ['NORMAL', 'NORMAL'],
      ['NORMAL', 'NORMAL'],
    ]);
    // B falls silent (cut off); it may still serve its users: they stay on it.
    sim.node(B).alive = false;
    sim.run(sim.params.keepAliveTimeout + 5);
    expect(sim.group.failedOver).toBeNull();
    expect(sim.group.operation).toBeNull();
    expect(states(sim)).toEqual([
      ['NORMAL', 'NORMAL'],
      ['DOWN', 'PEER_DOWN'],
    ]);
    const b = sim.group.members[1]!;
    const a = sim.group.members[0]!;
    expect(findRow(b as never, a as never)?.row.id).toBe('down-not-told-of-ha');
    // The operator, who knows B is off, can move its users by hand.
    sim.apply({ type: 'AdminFailover', nodeId: B });
    sim.run(2);
    expect(sim.group.failedOver).toBe(B);
    expect(states(sim)).toEqual([
      ['RUNNING_IN_BACKUP_MODE', 'ON_ADMIN_REQUEST'],
      ['DOWN', 'ON_ADMIN_REQUEST'],
    ]);
  });

  it('manual failover of a node that has not heard its stop order: a report of services stopped from before does not move the users', () => {
    const sim = new PairSimulator().startNormal();
    // A's agent restarts with its services down (they start once an answer comes), and
    // its answers are lost: it reports them stopped but never hears the `stop`.
    sim.restartSrm(A);
    sim.node(A).answersLost = true;
    sim.node(A).stoppedByOrder = true;
    sim.heartbeat(A);
    sim.apply({ type: 'AdminFailover', nodeId: A });
    sim.run(1);
    expect(sim.group.operation?.phase).toBe('AWAIT_STOP');
    expect(sim.group.failedOver).toBeNull();
    // It hears the order, acknowledges it, stays stopped: now the users move.
    sim.node(A).answersLost = false;
    sim.run(3);
    expect(sim.group.failedOver).toBe(A);
  });

  it('a node that acknowledged the group is still failed over when it falls silent', () => {
    const sim = new PairSimulator().startNormal();
    sim.node(B).alive = false;
    sim.run(sim.params.keepAliveTimeout + 2);
    expect(sim.group.failedOver).toBe(B);
  });
});

/** Whether each node's agent acknowledges, as the group view shows it. */
const acknowledging = (sim: PairSimulator) => nodeViews(sim.group).map((v) => v.agentAcknowledges);

/**
 * A pair set up with agents of the release before the acknowledgement on the nodes named:
 * their heartbeats carry no `heard` field at all, from the first one on.
 */
function pairWithOldAgents(...old: string[]): PairSimulator {
  const sim = new PairSimulator();
  for (const id of old) sim.node(id).heard = undefined;
  return sim.startNormal();
}

describe('upgrading a fleet: nodes whose agent predates the acknowledgement', () => {
  it('a node whose agent predates the acknowledgement is still failed over when it falls silent', () => {
    const sim = pairWithOldAgents(B);
    expect(states(sim)).toEqual([
      ['NORMAL', 'NORMAL'],
      ['NORMAL', 'NORMAL'],
    ]);
    expect(acknowledging(sim)).toEqual([true, false]);
    // B crashes: as in the release before, its silence past keepAliveTimeout is its fence.
    sim.node(B).alive = false;
    sim.run(sim.params.keepAliveTimeout + 3);
    expect(sim.group.failedOver).toBe(B);
    expect(states(sim)).toEqual([
      ['RUNNING_IN_BACKUP_MODE', 'PEER_DOWN'],
      ['DOWN', 'PEER_DOWN'],
    ]);
  });

  it('a fallback to/from a pair of old agents completes without an acknowledgement', () => {
    const sim = pairWithOldAgents(A, B);
    expect(acknowledging(sim)).toEqual([false, false]);
    // A manual failover: A reports its services stopped, which counts at once as before.
    sim.apply({ type: 'AdminFailover', nodeId: A });
    sim.run(8);
    expect(sim.group.failedOver).toBe(A);
    expect(sim.group.lastOperation?.outcome).toBe('succeeded');
    // And back: B cannot say it heard the fallback; the users go home all the same.
    sim.apply({ type: 'AdminFallback', nodeId: A });
    sim.run(sim.params.initializationKeepAliveTimeout);
    expect(sim.group.failedOver).toBeNull();
    expect(sim.group.lastOperation).toMatchObject({ kind: 'FALL_BACK', outcome: 'succeeded' });
    expect(states(sim)).toEqual([
      ['NORMAL', 'NORMAL'],
      ['NORMAL', 'NORMAL'],
    ]);
  });

  it('a recovery from a backup on an old agent moves the users home without an acknowledgement', () => {
    const stopWait = FAST_PARAMETERS.keepAliveTimeout + 1;
    const sim = pairWithOldAgents(A);
    sim.crash(B);
    sim.run(sim.params.criticalServiceDelay + 2 + stopWait);
    expect(sim.group.failedOver).toBe(B);
    // The backup A, on an old agent, fails as well: both fail.
    sim.crash(A);
    sim.run(sim.params.criticalServiceDelay + 2 + stopWait);
    expect(states(sim).map(([s]) => s)).toEqual(['RUNNING_IN_FAILED_MODE', 'RUNNING_IN_FAILED_MODE']);
    sim.repair(A);
    sim.repair(B);
    // A, holding B's users, cannot say it heard the recovery: they go home all the same.
    sim.apply({ type: 'AdminRecover' });
    sim.run(3);
    expect(sim.group.lastOperation).toMatchObject({ kind: 'RECOVER', outcome: 'succeeded' });
    expect(sim.group.failedOver).toBeNull();
    expect(states(sim)).toEqual([
      ['NORMAL', 'NORMAL'],
      ['NORMAL', 'NORMAL'],
    ]);
  });

  it('a node whose agent is upgraded acknowledges from its first heartbeat on, and for good', () => {
    const sim = pairWithOldAgents(B);
    expect(acknowledging(sim)).toEqual([true, false]);
    // The new agent starts: its first heartbeat says it heard nothing yet.
    sim.restartSrm(B);
    sim.node(B).heard = null;
    sim.run(3);
    expect(acknowledging(sim)).toEqual([true, true]);
    // Downgraded again by hand: it stays an acknowledging agent, now one that cannot be
    // told, so its silence no longer moves its users (docs/runbooks.md).
    sim.restartSrm(B);
    sim.node(B).heard = undefined;
    sim.run(3);
    expect(acknowledging(sim)).toEqual([true, true]);
    sim.node(B).alive = false;
    sim.run(sim.params.keepAliveTimeout + 3);
    expect(sim.group.failedOver).toBeNull();
  });
});
