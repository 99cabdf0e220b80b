import { describe, expect, it } from 'vitest';
import { findRow } from '../../../../lambdas/core/catalogue/table2';
import { PairSimulator } from '../../../support/pairSimulator';

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

  it('fallback to a node that cannot be told: a backup that never acknowledges keeps the users, the fallback fails', () => {
    const sim = failedOverPair();
    // An agent too old to acknowledge: its heartbeats never say what it heard.
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
