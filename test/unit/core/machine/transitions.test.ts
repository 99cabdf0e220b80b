import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CLUSTER_PARAMETERS,
  OPERATION_TIMEOUT_SECONDS,
  heartbeatResponse,
  newGroup,
  transition,
  type DomainEvent,
  type Effect,
} from '../../../../lambdas/core';
import { FAST_PARAMETERS, PairSimulator, T0 } from '../../../support/pairSimulator';

const A = 'imp-a';
const B = 'imp-b';
const p = FAST_PARAMETERS;

// A take-over of a node still heard keeps its users on it until its agent has surely
// fenced or obeyed its stop order: keepAliveTimeout + serviceStopSeconds (0 here), and a tick.
const STOP_WAIT = p.keepAliveTimeout + 1;

const published = (effects: Effect[]): DomainEvent[] =>
  effects.flatMap((e) => (e.type === 'Publish' ? [e.event] : []));
const ofType = <T extends DomainEvent['detailType']>(effects: Effect[], t: T) =>
  published(effects).filter((e): e is DomainEvent & { detailType: T } => e.detailType === t);

describe('heartbeat lost', () => {
  it('fails over after keepAliveTimeout, not before', () => {
    const sim = new PairSimulator().startNormal();
    sim.node(A).alive = false;
    sim.run(p.keepAliveTimeout);
    expect(sim.stateOf(A)).toEqual(['NORMAL', 'NORMAL']);
    sim.run(2);
    expect(sim.pair()).toEqual([
      ['DOWN', 'PEER_DOWN'],
      ['RUNNING_IN_BACKUP_MODE', 'PEER_DOWN'],
    ]);
    expect(sim.servingNodeOf(A)).toBe(B);
  });

  it('is detected by the peer’s heartbeat, without waiting for the sweep', () => {
    const sim = new PairSimulator().startNormal();
    // Only node 2 heartbeats; no sweep runs.
    for (let i = 0; i < p.keepAliveTimeout; i++) {
      sim.wait(1);
      sim.heartbeat(B);
    }
    expect(sim.stateOf(A)[0]).toBe('NORMAL');
    sim.wait(1);
    const r = sim.heartbeat(B);
    expect(sim.stateOf(B)[0]).toBe('TAKING_OVER');
    expect(r.effects).toContainEqual(
      expect.objectContaining({ type: 'StartWorkflow', workflow: 'TAKE_OVER' }),
    );
  });

  it('does not blame the peer of the first node heard after the control plane itself was unreachable', () => {
    const sim = new PairSimulator().startNormal();
    sim.wait(p.keepAliveTimeout * 5); // nobody reached the control plane
    sim.heartbeat(A);
    expect(sim.pair()).toEqual([
      ['NORMAL', 'NORMAL'],
      ['NORMAL', 'NORMAL'],
    ]);
    sim.run(3);
    expect(sim.stateOf(B)).toEqual(['NORMAL', 'NORMAL']);
  });

  it('with both nodes lost, neither takes over: both Unknown', () => {
    const sim = new PairSimulator().startNormal();
    sim.node(A).alive = false;
    sim.node(B).alive = false;
    sim.run(p.keepAliveTimeout + 1);
    expect(sim.pair()).toEqual([
      ['UNKNOWN', 'UNKNOWN'],
      ['UNKNOWN', 'UNKNOWN'],
    ]);
  });

  it.each(['reboot', 'shutdown'] as const)(
    'reports Peer Reboot when the last heartbeat announced a %s',
    (notice) => {
      const sim = new PairSimulator().startNormal();
      sim.node(A).notice = notice;
      sim.heartbeat(A);
      sim.node(A).alive = false;
      sim.run(p.keepAliveTimeout + 2);
      expect(sim.stateOf(B)).toEqual(['RUNNING_IN_BACKUP_MODE', 'PEER_REBOOT']);
    },
  );

  it('gives a node not yet heard from initializationKeepAliveTimeout, then Peer Down During Initialization', () => {
    const sim = new PairSimulator();
    sim.node(A).alive = false;
    sim.heartbeat(B);
    sim.apply({ type: 'EnableHa' });
    sim.run(p.keepAliveTimeout + 1);
    expect(sim.stateOf(A)).toEqual(['INITIALIZING', 'INITIALIZATION']);
    sim.run(p.initializationKeepAliveTimeout - p.keepAliveTimeout);
    expect(sim.pair()).toEqual([
      ['DOWN', 'INITIALIZATION'],
      ['RUNNING_IN_BACKUP_MODE', 'PEER_DOWN_DURING_INITIALIZATION'],
    ]);
  });

  it('records why in the history: how long the heartbeat was lost and the timeout', () => {
    const sim = new PairSimulator().startNormal();
    sim.node(A).alive = false;
    sim.run(p.keepAliveTimeout + 2);
    const entry = sim.results
      .flatMap((r) => r.effects)
      .find((e) => e.type === 'AppendHistory' && e.entry.nodeId === A && e.entry.to === 'DOWN');
    expect(entry).toBeDefined();
    expect(entry?.type === 'AppendHistory' && entry.entry.cause).toMatch(
      /No heartbeat from imp-a for 4 s \(keepAliveTimeout 3 s\)/,
    );
  });
});

describe('critical service and database failures', () => {
  it('fails over once a service has been reported down for criticalServiceDelay, measured from the first report', () => {
    const sim = new PairSimulator().startNormal();
    sim.crash(A, 'Cisco SIP Proxy');
    sim.run(p.criticalServiceDelay);
    expect(sim.stateOf(A)).toEqual(['NORMAL', 'NORMAL']);
    sim.run(1);
    // Taking Over until the failing node, still heard, has surely stopped; then the users move.
    expect(sim.pair()).toEqual([
      ['FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING', 'CRITICAL_SERVICE_DOWN'],
      ['TAKING_OVER', 'CRITICAL_SERVICE_DOWN'],
    ]);
    sim.run(STOP_WAIT);
    expect(sim.pair()).toEqual([
      ['FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING', 'CRITICAL_SERVICE_DOWN'],
      ['RUNNING_IN_BACKUP_MODE', 'CRITICAL_SERVICE_DOWN'],
    ]);
  });

  it('restarts the delay when the service comes back in between', () => {
    const sim = new PairSimulator().startNormal();
    sim.crash(A);
    sim.run(p.criticalServiceDelay - 1);
    sim.repair(A);
    sim.run(1);
    sim.crash(A);
    sim.run(p.criticalServiceDelay);
    expect(sim.stateOf(A)).toEqual(['NORMAL', 'NORMAL']);
    sim.run(1);
    expect(sim.stateOf(A)[0]).toBe('FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING');
  });

  it('counts a critical service missing from the heartbeat as not running', () => {
    const sim = new PairSimulator().startNormal();
    for (let i = 0; i < p.criticalServiceDelay + 2; i++) {
      sim.wait(1);
      sim.heartbeat(B);
      sim.apply({
        type: 'Heartbeat',
        nodeId: A,
        heartbeat: { bootId: 'imp-a-boot-1', boot: 1, sequence: 100 + i, services: {}, database: 'up' },
      });
      sim.completeWorkflow();
    }
    expect(sim.stateOf(A)).toEqual(['FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING', 'CRITICAL_SERVICE_DOWN']);
  });

  it('fails over at once with criticalServiceDelay 0', () => {
    const sim = new PairSimulator({ ...p, criticalServiceDelay: 0 }).startNormal();
    sim.crash(A);
    sim.heartbeat(A);
    expect(sim.stateOf(B)).toEqual(['TAKING_OVER', 'CRITICAL_SERVICE_DOWN']);
  });

  it('fails over on a database reported down for the delay', () => {
    const sim = new PairSimulator().startNormal();
    sim.node(B).database = 'down';
    sim.run(p.criticalServiceDelay + 2 + STOP_WAIT);
    expect(sim.pair()).toEqual([
      ['RUNNING_IN_BACKUP_MODE', 'DATABASE_FAILURE'],
      ['FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING', 'DATABASE_FAILURE'],
    ]);
  });

  it('puts both nodes in failed mode when the peer cannot take over', () => {
    const sim = new PairSimulator().startNormal();
    sim.crash(A);
    sim.crash(B);
    sim.run(p.criticalServiceDelay + 1);
    expect(sim.pair()).toEqual([
      ['RUNNING_IN_FAILED_MODE', 'CRITICAL_SERVICE_DOWN'],
      ['RUNNING_IN_FAILED_MODE', 'CRITICAL_SERVICE_DOWN'],
    ]);
  });
});

describe('failed over, ready for fallback, automatic fallback', () => {
  function failedOverHealthy(params = p): PairSimulator {
    const sim = new PairSimulator(params).startNormal();
    sim.crash(A);
    sim.run(p.criticalServiceDelay + 2 + STOP_WAIT);
    sim.repair(A);
    sim.run(1);
    return sim;
  }

  it('shows Failed Over once every critical service runs again, and stays there without automatic fallback', () => {
    const sim = failedOverHealthy();
    expect(sim.stateOf(A)).toEqual(['FAILED_OVER', 'CRITICAL_SERVICE_DOWN']);
    sim.run(p.automaticFallbackDelay * 3);
    expect(sim.stateOf(A)).toEqual(['FAILED_OVER', 'CRITICAL_SERVICE_DOWN']);
  });

  it('falls back by itself after automaticFallbackDelay of continuous health', () => {
    const sim = failedOverHealthy({ ...p, enableAutomaticFallback: true });
    const timer = sim.effects.find((e) => e.type === 'StartWorkflow' && e.workflow === 'AUTO_FALLBACK');
    expect(timer).toMatchObject({ fromNode: B, toNode: A, waitSeconds: p.automaticFallbackDelay });
    sim.run(p.automaticFallbackDelay - 1);
    expect(sim.stateOf(A)[0]).toBe('FAILED_OVER');
    sim.run(3);
    expect(sim.pair()).toEqual([
      ['NORMAL', 'NORMAL'],
      ['NORMAL', 'NORMAL'],
    ]);
    expect(ofType(sim.effects, 'FallbackStarted').at(-1)?.reason).toBe('AUTOMATIC_FALLBACK');
    expect(sim.servingNodeOf(A)).toBe(A);
  });

  it('cancels the automatic fallback on a new fault during the wait, and waits the full delay again after it', () => {
    const sim = failedOverHealthy({ ...p, enableAutomaticFallback: true });
    sim.run(p.automaticFallbackDelay - 2);
    sim.crash(A);
    sim.run(1);
    expect(sim.stateOf(A)[0]).toBe('FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING');
    expect(sim.group.autoFallback).toBeNull();
    sim.repair(A);
    sim.run(p.automaticFallbackDelay - 1);
    expect(sim.stateOf(A)[0]).toBe('FAILED_OVER');
    sim.run(4); // the wait, then the start order delivered and obeyed (two heartbeats)
    expect(sim.stateOf(A)).toEqual(['NORMAL', 'NORMAL']);
  });

  it('ignores a timer that was cancelled (a late re-check of the workflow)', () => {
    const sim = failedOverHealthy({ ...p, enableAutomaticFallback: true });
    const stale = sim.group.autoFallback!;
    sim.run(p.automaticFallbackDelay - 2);
    sim.crash(A);
    sim.run(1);
    sim.repair(A);
    sim.run(1);
    // The cancelled timer would be due by now; the new one is not.
    expect(sim.now).toBeGreaterThanOrEqual(stale.dueAt);
    sim.apply({ type: 'AutomaticFallbackDue', timerId: stale.id });
    expect(sim.stateOf(A)[0]).toBe('FAILED_OVER');
    expect(sim.group.autoFallback?.id).not.toBe(stale.id);
  });
});

describe('manual failover and fallback', () => {
  it('a fallback right after a manual failover waits for the node to obey its start order, not its report from before it stopped', () => {
    const sim = new PairSimulator().startNormal();
    sim.apply({ type: 'AdminFailover', nodeId: A });
    // Answered 'stop', the node stops its services; this report still said they ran.
    sim.heartbeat(A);
    expect(sim.node(A).stoppedByOrder).toBe(true);
    // The next one shows them stopped, and only then do the users move.
    sim.heartbeat(A);
    expect(sim.completeWorkflow()?.outcome).toBe('applied');
    sim.apply({ type: 'AdminFallback', nodeId: A });
    expect(sim.completeWorkflow()).toBeNull();
    expect(sim.group.operation?.phase).toBe('AWAIT_SERVICES');
    sim.run(p.criticalServiceDelay + 3);
    expect(sim.pair()).toEqual([
      ['NORMAL', 'NORMAL'],
      ['NORMAL', 'NORMAL'],
    ]);
    expect(sim.node(A).stoppedByOrder).toBe(false);
  });

  it('fails over by hand: Failing Over / Taking Over, then Idle / Running in Backup Mode, and the idle node is told to stop', () => {
    const sim = new PairSimulator().startNormal();
    const start = sim.apply({ type: 'AdminFailover', nodeId: A });
    expect(start.effects).toContainEqual(
      expect.objectContaining({ type: 'OrderServices', nodeId: A, order: 'stop' }),
    );
    expect(heartbeatResponse(sim.group, A, p, sim.now).serviceOrder).toBe('stop');
    // One heartbeat delivers the order, the next shows the services stopped: then the move.
    sim.run(2);
    expect(sim.pair()).toEqual([
      ['IDLE', 'ON_ADMIN_REQUEST'],
      ['RUNNING_IN_BACKUP_MODE', 'ON_ADMIN_REQUEST'],
    ]);
    expect(heartbeatResponse(sim.group, A, p, sim.now)).toMatchObject({
      state: 'IDLE',
      serviceOrder: 'stop',
    });
    expect(ofType(sim.effects, 'FailoverCompleted').at(-1)).toMatchObject({
      outcome: 'succeeded',
      fromNode: A,
      toNode: B,
    });
    expect(ofType(sim.effects, 'UsersMoved').at(-1)).toMatchObject({
      fromNode: A,
      toNode: B,
      homeNodes: [A],
    });
  });

  it('falls back: the node taking back is told to start its services, then both are Normal', () => {
    const sim = new PairSimulator().startNormal();
    sim.apply({ type: 'AdminFailover', nodeId: A });
    sim.run(2);
    expect(sim.node(A).stoppedByOrder).toBe(true);
    sim.apply({ type: 'AdminFallback', nodeId: A });
    expect(heartbeatResponse(sim.group, A, p, sim.now).serviceOrder).toBe('start');
    sim.run(3);
    expect(sim.pair()).toEqual([
      ['NORMAL', 'NORMAL'],
      ['NORMAL', 'NORMAL'],
    ]);
    expect(heartbeatResponse(sim.group, A, p, sim.now).serviceOrder).toBe('leave');
    expect(sim.servingNodeOf(A)).toBe(A);
  });

  it('fails both nodes when the services do not start within initializationKeepAliveTimeout', () => {
    const sim = new PairSimulator().startNormal();
    sim.apply({ type: 'AdminFailover', nodeId: A });
    sim.run(2);
    sim.node(A).canStartServices = false;
    sim.apply({ type: 'AdminFallback', nodeId: A });
    sim.run(p.initializationKeepAliveTimeout);
    expect(sim.stateOf(A)[0]).toBe('TAKING_BACK');
    sim.run(2);
    expect(sim.stateOf(A)).toEqual(['RUNNING_IN_FAILED_MODE', 'START_OF_CRITICAL_SERVICES_FAILED']);
    expect(ofType(sim.effects, 'FallbackCompleted').at(-1)?.outcome).toBe('failed');
  });

  it('fails both nodes when the user move of a take-over fails, and users stay where they were', () => {
    const sim = new PairSimulator().startNormal();
    sim.failNextMove = 'ConditionalCheckFailed';
    sim.node(A).alive = false;
    sim.run(p.keepAliveTimeout + 2);
    expect(sim.pair()).toEqual([
      ['DOWN', 'TAKE_OVER_USERS_FAILED'],
      ['RUNNING_IN_FAILED_MODE', 'TAKE_OVER_USERS_FAILED'],
    ]);
    expect(sim.servingNodeOf(A)).toBe(A);
  });

  it('declares a workflow lost when it has not finished in time: both failed, Unknown', () => {
    const sim = new PairSimulator().startNormal();
    sim.autoWorkflows = false;
    sim.apply({ type: 'AdminFailover', nodeId: A });
    const id = sim.group.operation!.id;
    // Its deadline counts from the end of the wait for the failing node to stop.
    sim.run(OPERATION_TIMEOUT_SECONDS + p.initializationKeepAliveTimeout + 1);
    expect(sim.pair()).toEqual([
      ['RUNNING_IN_FAILED_MODE', 'UNKNOWN'],
      ['RUNNING_IN_FAILED_MODE', 'UNKNOWN'],
    ]);
    // A late step of the lost workflow changes nothing.
    const late = sim.apply({ type: 'WorkflowStepSucceeded', operationId: id, step: 'MOVE_USERS' });
    expect(late.outcome).toBe('ignored');
  });
});

describe('automatic recovery when the backup node fails', () => {
  it('puts both in failed mode when the failed-over peer is not healthy', () => {
    const sim = new PairSimulator().startNormal();
    sim.crash(A);
    sim.run(p.criticalServiceDelay + 2 + STOP_WAIT);
    sim.node(B).database = 'down';
    sim.run(p.criticalServiceDelay + 1 + STOP_WAIT);
    expect(sim.pair()).toEqual([
      ['RUNNING_IN_FAILED_MODE', 'CRITICAL_SERVICE_DOWN'],
      ['RUNNING_IN_FAILED_MODE', 'CRITICAL_SERVICE_DOWN'],
    ]);
  });

  it('ends as a failover in the other direction', () => {
    const sim = new PairSimulator().startNormal();
    sim.crash(A);
    sim.run(p.criticalServiceDelay + 2 + STOP_WAIT);
    sim.repair(A);
    sim.run(1);
    sim.crash(B);
    sim.run(p.criticalServiceDelay + 2 + STOP_WAIT);
    expect(sim.pair()).toEqual([
      ['RUNNING_IN_BACKUP_MODE', 'AUTO_RECOVER_CRITICAL_SERVICE_DOWN'],
      ['FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING', 'AUTO_RECOVER_CRITICAL_SERVICE_DOWN'],
    ]);
    expect(ofType(sim.effects, 'UsersMoved').at(-1)).toMatchObject({
      fromNode: B,
      toNode: A,
      homeNodes: [A, B],
    });
  });
});

describe('SRM restarts', () => {
  it('keeps Normal through a restart of a healthy node', () => {
    const sim = new PairSimulator().startNormal();
    sim.restartSrm(A);
    sim.run(2);
    expect(sim.stateOf(A)).toEqual(['NORMAL', 'NORMAL']);
  });

  it('keeps a failed-over state and sets the reason to Initialization', () => {
    const sim = new PairSimulator().startNormal();
    sim.crash(A);
    sim.run(p.criticalServiceDelay + 2 + STOP_WAIT);
    sim.restartSrm(A);
    sim.run(1);
    expect(sim.stateOf(A)).toEqual(['FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING', 'INITIALIZATION']);
  });

  it('ignores a heartbeat older than the newest one of the same boot', () => {
    const sim = new PairSimulator().startNormal();
    const before = sim.group;
    const r = sim.apply({
      type: 'Heartbeat',
      nodeId: A,
      heartbeat: { bootId: 'imp-a-boot-1', boot: 1, sequence: 1, services: {}, database: 'down' },
    });
    expect(r).toMatchObject({ outcome: 'ignored', effects: [] });
    expect(sim.group).toBe(before);
  });

  it('accepts a lower sequence from a new boot', () => {
    const sim = new PairSimulator().startNormal();
    sim.restartSrm(A);
    expect(sim.heartbeat(A).outcome).toBe('applied');
    expect(sim.group.members[0]!.bootId).toBe('imp-a-boot-2');
  });
});

describe('recover', () => {
  function bothFailed(): PairSimulator {
    const sim = new PairSimulator().startNormal();
    sim.apply({ type: 'AdminFailover', nodeId: A });
    sim.run(2);
    sim.failNextMove = 'injected';
    sim.apply({ type: 'AdminFallback', nodeId: A });
    sim.run(2);
    expect(sim.stateOf(A)[0]).toBe('RUNNING_IN_FAILED_MODE');
    return sim;
  }

  it('starts both nodes over, brings every user home, and each node becomes Normal once healthy', () => {
    const sim = bothFailed();
    expect(sim.servingNodeOf(A)).toBe(B);
    const r = sim.apply({ type: 'AdminRecover' });
    expect(sim.pair()).toEqual([
      ['INITIALIZING', 'INITIALIZATION'],
      ['INITIALIZING', 'INITIALIZATION'],
    ]);
    expect(heartbeatResponse(sim.group, A, p, sim.now).serviceOrder).toBe('start');
    expect(r.effects).toContainEqual(expect.objectContaining({ type: 'StartWorkflow', workflow: 'RECOVER' }));
    sim.run(2);
    expect(sim.pair()).toEqual([
      ['NORMAL', 'NORMAL'],
      ['NORMAL', 'NORMAL'],
    ]);
    expect(sim.servingNodeOf(A)).toBe(A);
    expect(ofType(sim.effects, 'RecoveryCompleted').at(-1)?.outcome).toBe('succeeded');
  });

  it('lets the peer take over when a node does not come back within initializationKeepAliveTimeout', () => {
    const sim = bothFailed();
    sim.node(A).alive = false;
    sim.apply({ type: 'AdminRecover' });
    sim.run(p.initializationKeepAliveTimeout + 2);
    expect(sim.pair()).toEqual([
      ['DOWN', 'INITIALIZATION'],
      ['RUNNING_IN_BACKUP_MODE', 'PEER_DOWN_DURING_INITIALIZATION'],
    ]);
  });
});

describe('enabling and disabling high availability', () => {
  const enableWith = (downA: boolean, downB: boolean) => {
    const sim = new PairSimulator();
    if (downA) sim.crash(A);
    if (downB) sim.crash(B);
    sim.beatAll();
    sim.apply({ type: 'EnableHa' });
    sim.run(1);
    return sim;
  };

  it('with every critical service running on both: both Normal', () => {
    expect(enableWith(false, false).pair()).toEqual([
      ['NORMAL', 'NORMAL'],
      ['NORMAL', 'NORMAL'],
    ]);
  });

  it('with critical services down on one node: that node fails over to the other at once', () => {
    const sim = enableWith(true, false);
    expect(sim.stateOf(B)).toEqual(['TAKING_OVER', 'CRITICAL_SERVICE_DOWN']);
    // The users move once the failing node, still heard, has surely stopped.
    sim.run(STOP_WAIT);
    expect(sim.pair()).toEqual([
      ['FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING', 'CRITICAL_SERVICE_DOWN'],
      ['RUNNING_IN_BACKUP_MODE', 'CRITICAL_SERVICE_DOWN'],
    ]);
  });

  it('with critical services down on both: both Running in Failed Mode', () => {
    expect(enableWith(true, true).pair()).toEqual([
      ['RUNNING_IN_FAILED_MODE', 'CRITICAL_SERVICE_DOWN'],
      ['RUNNING_IN_FAILED_MODE', 'CRITICAL_SERVICE_DOWN'],
    ]);
  });

  it('disabling stops managing the nodes: heartbeats are answered with no group and leave', () => {
    const sim = new PairSimulator().startNormal();
    const r = sim.apply({ type: 'DisableHa' });
    expect(r.outcome).toBe('applied');
    expect(sim.pair()).toEqual([
      [null, null],
      [null, null],
    ]);
    expect(heartbeatResponse(sim.group, B, p, sim.now)).toMatchObject({
      group: null,
      state: null,
      serviceOrder: 'leave',
    });
  });

  it('disabling is refused while a node is failed over: its users would go back to a node that is down or stopped', () => {
    const sim = new PairSimulator().startNormal();
    sim.node(A).alive = false;
    sim.run(p.keepAliveTimeout + 2);
    expect(sim.servingNodeOf(A)).toBe(B);
    const r = sim.apply({ type: 'DisableHa' });
    expect(r.outcome).toBe('refused');
    expect(sim.lastRefusal()?.message).toMatch(/Fall back to imp-a first/);
    expect(sim.servingNodeOf(A)).toBe(B);
  });

  it('records the heartbeats of a group without HA and answers with no state', () => {
    const g = newGroup('solo', [A]);
    const r = transition(
      g,
      {
        type: 'Heartbeat',
        nodeId: A,
        heartbeat: { bootId: 'b1', boot: 0, sequence: 1, services: {}, database: 'up' },
      },
      T0,
      DEFAULT_CLUSTER_PARAMETERS,
    );
    expect(r.group.members[0]!.lastHeartbeatAt).toBe(T0);
    expect(heartbeatResponse(r.group, A, DEFAULT_CLUSTER_PARAMETERS, T0)).toEqual({
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
  });
});

describe('epoch', () => {
  it('grows at every change of ownership and of a service order', () => {
    const sim = new PairSimulator().startNormal();
    const e0 = sim.group.epoch;
    sim.apply({ type: 'AdminFailover', nodeId: A });
    const e1 = sim.group.epoch;
    sim.run(2);
    const e2 = sim.group.epoch;
    expect(e1).toBeGreaterThan(e0);
    expect(e2).toBeGreaterThan(e1);
    sim.run(5);
    expect(sim.group.epoch).toBe(e2); // steady state: no change
  });
});

describe('admin action guards (the 409 cases)', () => {
  const refused = (sim: PairSimulator, event: Parameters<PairSimulator['apply']>[0]) => {
    const before = sim.group;
    const r = sim.apply(event);
    expect(r.outcome).toBe('refused');
    expect(sim.group).toBe(before);
    const refusal = r.effects[0];
    expect(r.effects).toHaveLength(1);
    expect(refusal?.type).toBe('Refuse');
    return refusal as Extract<Effect, { type: 'Refuse' }>;
  };

  it('refuses failover unless both nodes are Normal, naming the current states', () => {
    const sim = new PairSimulator().startNormal();
    sim.crash(A);
    sim.run(p.criticalServiceDelay + 2 + STOP_WAIT);
    const r = refused(sim, { type: 'AdminFailover', nodeId: B });
    expect(r.code).toBe('STATE_CONFLICT');
    expect(r.message).toMatch(/needs both nodes Normal/);
    expect(r.states).toEqual([
      { nodeId: A, state: 'FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING', reason: 'CRITICAL_SERVICE_DOWN' },
      { nodeId: B, state: 'RUNNING_IN_BACKUP_MODE', reason: 'CRITICAL_SERVICE_DOWN' },
    ]);
  });

  it('refuses a second action while a workflow runs: exactly one wins', () => {
    const sim = new PairSimulator().startNormal();
    sim.apply({ type: 'AdminFailover', nodeId: A });
    expect(refused(sim, { type: 'AdminFailover', nodeId: A }).code).toBe('OPERATION_IN_PROGRESS');
    expect(refused(sim, { type: 'AdminFailover', nodeId: B }).code).toBe('OPERATION_IN_PROGRESS');
    expect(refused(sim, { type: 'DisableHa' }).code).toBe('OPERATION_IN_PROGRESS');
  });

  it('refuses fallback to a node that is not Idle or Failed Over', () => {
    const sim = new PairSimulator().startNormal();
    expect(refused(sim, { type: 'AdminFallback', nodeId: A }).code).toBe('STATE_CONFLICT');
    sim.crash(A);
    sim.run(p.criticalServiceDelay + 2 + STOP_WAIT);
    // Failed Over with Critical Services not Running is not ready for fallback.
    expect(refused(sim, { type: 'AdminFallback', nodeId: A }).message).toMatch(/Idle or Failed Over/);
    // Nor is the backup node a target.
    expect(refused(sim, { type: 'AdminFallback', nodeId: B }).code).toBe('STATE_CONFLICT');
  });

  it('refuses recover unless both nodes are failed', () => {
    const sim = new PairSimulator().startNormal();
    expect(refused(sim, { type: 'AdminRecover' }).message).toMatch(/needs both nodes failed/);
  });

  it('refuses actions on a group without high availability, and on a node not in the group', () => {
    const sim = new PairSimulator();
    expect(refused(sim, { type: 'AdminFailover', nodeId: A }).code).toBe('HA_DISABLED');
    expect(refused(sim, { type: 'AdminRecover' }).code).toBe('HA_DISABLED');
    sim.startNormal();
    expect(refused(sim, { type: 'AdminFailover', nodeId: 'imp-z' }).code).toBe('NODE_NOT_IN_GROUP');
  });

  it('refuses high availability for a single node', () => {
    const g = newGroup('solo', [A]);
    const r = transition(g, { type: 'EnableHa' }, T0, p);
    expect(r.outcome).toBe('refused');
    expect(r.group.highAvailability).toBe(false);
  });
});
