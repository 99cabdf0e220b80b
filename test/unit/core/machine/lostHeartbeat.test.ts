import { describe, expect, it } from 'vitest';
import { currentNode, findRow, type HistoryEntry } from '../../../../lambdas/core';
import { FAST_PARAMETERS as p, PairSimulator } from '../../../support/pairSimulator';

const A = 'imp-a';
const B = 'imp-b';

/** The cause of the last history line written for a node. */
const lastCause = (sim: PairSimulator, nodeId: string) =>
  sim.effects
    .flatMap((e): HistoryEntry[] =>
      e.type === 'AppendHistory' && e.entry.nodeId === nodeId ? [e.entry] : [],
    )
    .at(-1)?.cause;

describe('a lost heartbeat outside the plain Normal / Normal case', () => {
  it('a node whose users are being taken over and that then falls silent is shown Down; the take-over goes on', () => {
    const sim = new PairSimulator().startNormal();
    sim.autoWorkflows = false;
    sim.crash(A);
    sim.run(p.criticalServiceDelay + 1);
    expect(sim.pair()).toEqual([
      ['FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING', 'CRITICAL_SERVICE_DOWN'],
      ['TAKING_OVER', 'CRITICAL_SERVICE_DOWN'],
    ]);
    sim.node(A).alive = false;
    sim.run(p.keepAliveTimeout + 1);
    expect(sim.pair()).toEqual([
      ['DOWN', 'CRITICAL_SERVICE_DOWN'],
      ['TAKING_OVER', 'CRITICAL_SERVICE_DOWN'],
    ]);
    expect(lastCause(sim, A)).toMatch(/^No heartbeat from imp-a for \d+ s \(keepAliveTimeout 3 s\)/);
    sim.completeWorkflow();
    expect(sim.pair()).toEqual([
      ['DOWN', 'CRITICAL_SERVICE_DOWN'],
      ['RUNNING_IN_BACKUP_MODE', 'CRITICAL_SERVICE_DOWN'],
    ]);
    expect(currentNode(A, sim.group)).toBe(B);
  });

  it('a backup node heard again while its failed-over peer is still down resumes Running in Backup Mode', () => {
    const sim = new PairSimulator().startNormal();
    sim.apply({ type: 'AdminFailover', nodeId: B });
    sim.run(2);
    expect(sim.pair()).toEqual([
      ['RUNNING_IN_BACKUP_MODE', 'ON_ADMIN_REQUEST'],
      ['IDLE', 'ON_ADMIN_REQUEST'],
    ]);
    // Nobody reaches the control plane for longer than keepAliveTimeout.
    sim.node(A).alive = false;
    sim.node(B).alive = false;
    sim.run(p.keepAliveTimeout + 1);
    expect(sim.pair()).toEqual([
      ['DOWN', 'PEER_DOWN'],
      ['DOWN', 'ON_ADMIN_REQUEST'],
    ]);
    sim.node(A).alive = true;
    sim.run(1);
    // Node 1 still holds node 2's users: it goes back to serving them, with the failover's reason.
    expect(sim.pair()).toEqual([
      ['RUNNING_IN_BACKUP_MODE', 'ON_ADMIN_REQUEST'],
      ['DOWN', 'ON_ADMIN_REQUEST'],
    ]);
    expect(lastCause(sim, A)).toBe('imp-a is heard from again. It still serves the users of imp-b.');
    expect(currentNode(B, sim.group)).toBe(A);
  });

  it('a node lost while its peer has not come up yet returns to Normal when heard again: nobody took its users', () => {
    const sim = new PairSimulator();
    sim.node(A).alive = false;
    sim.apply({ type: 'EnableHa' });
    sim.heartbeat(B);
    expect(sim.stateOf(B)).toEqual(['NORMAL', 'NORMAL']);
    // Node 2 falls silent too, inside node 1's initialization window.
    sim.wait(p.keepAliveTimeout + 1);
    sim.sweep();
    expect(sim.pair()).toEqual([
      ['INITIALIZING', 'INITIALIZATION'],
      ['DOWN', 'PEER_DOWN'],
    ]);
    sim.heartbeat(B);
    expect(sim.stateOf(B)).toEqual(['NORMAL', 'NORMAL']);
    expect(sim.group.failedOver).toBeNull();
  });

  it('a node handing the users back that falls silent leaves the pair failed (Take Back Users Failed)', () => {
    const sim = new PairSimulator().startNormal();
    sim.apply({ type: 'AdminFailover', nodeId: A });
    sim.run(2);
    sim.autoWorkflows = false;
    sim.apply({ type: 'AdminFallback', nodeId: A });
    sim.run(1);
    expect(sim.pair()).toEqual([
      ['TAKING_BACK', 'ON_ADMIN_REQUEST'],
      ['FALLING_BACK', 'ON_ADMIN_REQUEST'],
    ]);
    sim.node(B).alive = false;
    sim.run(p.keepAliveTimeout + 1);
    expect(sim.pair()).toEqual([
      ['RUNNING_IN_FAILED_MODE', 'TAKE_BACK_USERS_FAILED'],
      ['DOWN', 'TAKE_BACK_USERS_FAILED'],
    ]);
    expect(lastCause(sim, B)).toMatch(/It was handing the users back to imp-a\.$/);
    expect(sim.group.operation).toBeNull();
    // An SRM restart of the failed node while its peer is still down: Running in Failed Mode, Unknown.
    sim.restartSrm(A);
    sim.run(1);
    expect(sim.pair()).toEqual([
      ['RUNNING_IN_FAILED_MODE', 'UNKNOWN'],
      ['DOWN', 'TAKE_BACK_USERS_FAILED'],
    ]);
    const [[s1, r1], [s2, r2]] = sim.pair();
    expect(
      findRow({ nodeId: A, state: s1!, reason: r1! }, { nodeId: B, state: s2!, reason: r2! }),
    ).not.toBeNull();
  });
});
