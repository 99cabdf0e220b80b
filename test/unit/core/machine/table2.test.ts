import { describe, expect, it } from 'vitest';
import {
  NODE_STATES,
  TABLE_2,
  describePair,
  fillNodeNames,
  findRow,
  type Table2Row,
} from '../../../../lambdas/core';
import { FAST_PARAMETERS, PairSimulator } from '../../../support/pairSimulator';

const A = 'imp-a';
const B = 'imp-b';
const p = FAST_PARAMETERS;

// A take-over of a node still heard keeps its users on it until its agent has surely
// fenced or obeyed its stop order: keepAliveTimeout + serviceStopSeconds (0 here), and a tick.
const STOP_WAIT = p.keepAliveTimeout + 1;

/**
 * Asserts that the pair shows `row`, with `node1` in the manual's "node 1" role: each
 * node's state and reason are among the row's, and the group view returns the row's
 * cause and recommended actions with the real node ids.
 */
function expectRow(
  sim: PairSimulator,
  rowId: string,
  node1: string,
  expected: [string, string, string, string],
) {
  const node2 = node1 === A ? B : A;
  const [s1, r1] = sim.stateOf(node1);
  const [s2, r2] = sim.stateOf(node2);
  expect([s1, r1, s2, r2]).toEqual(expected);
  const row = TABLE_2.find((r) => r.id === rowId)!;
  const found = findRow(
    { nodeId: node1, state: s1!, reason: r1! },
    { nodeId: node2, state: s2!, reason: r2! },
  );
  expect(found?.row.id).toBe(rowId);
  // The view names the real group in the commands it suggests.
  const actions = row.recommendedActions.map((t) => fillNodeNames(t, node1, node2, sim.group.name));
  expect(sim.view(node1).recommendedActions).toEqual(actions);
  expect(sim.view(node2).recommendedActions).toEqual(actions);
  expect(sim.view(node1).cause).toBe(fillNodeNames(row.cause, node1, node2, sim.group.name));
}

/** Manual failover of node 1 to node 2, completed: Idle / Running in Backup Mode. */
function manualFailoverDone(sim = new PairSimulator()): PairSimulator {
  sim.startNormal();
  sim.apply({ type: 'AdminFailover', nodeId: A });
  sim.run(2);
  return sim;
}

/** A critical service of node 1 down past the delay: failed over to node 2. */
function criticalServiceFailover(sim = new PairSimulator()): PairSimulator {
  sim.startNormal();
  sim.crash(A);
  sim.run(p.criticalServiceDelay + 2 + STOP_WAIT);
  return sim;
}

const scenarios: Record<string, () => void> = {
  normal: () => {
    const sim = new PairSimulator().startNormal();
    expectRow(sim, 'normal', A, ['NORMAL', 'NORMAL', 'NORMAL', 'NORMAL']);
  },
  'manual-failover-in-progress': () => {
    const sim = new PairSimulator().startNormal();
    sim.apply({ type: 'AdminFailover', nodeId: A });
    expectRow(sim, 'manual-failover-in-progress', A, [
      'FAILING_OVER',
      'ON_ADMIN_REQUEST',
      'TAKING_OVER',
      'ON_ADMIN_REQUEST',
    ]);
  },
  'manual-failover-complete': () => {
    const sim = manualFailoverDone();
    expectRow(sim, 'manual-failover-complete', A, [
      'IDLE',
      'ON_ADMIN_REQUEST',
      'RUNNING_IN_BACKUP_MODE',
      'ON_ADMIN_REQUEST',
    ]);
    expect(sim.servingNodeOf(A)).toBe(B);
  },
  'manual-fallback-in-progress': () => {
    const sim = manualFailoverDone();
    sim.apply({ type: 'AdminFallback', nodeId: A });
    expectRow(sim, 'manual-fallback-in-progress', A, [
      'TAKING_BACK',
      'ON_ADMIN_REQUEST',
      'FALLING_BACK',
      'ON_ADMIN_REQUEST',
    ]);
  },
  'srm-restart-idle-node': () => {
    const sim = manualFailoverDone();
    sim.restartSrm(A);
    sim.heartbeat(A);
    expectRow(sim, 'srm-restart-idle-node', A, [
      'IDLE',
      'INITIALIZATION',
      'RUNNING_IN_BACKUP_MODE',
      'ON_ADMIN_REQUEST',
    ]);
  },
  'srm-restart-both-nodes-manual-failover': () => {
    const sim = manualFailoverDone();
    sim.restartSrm(A);
    sim.restartSrm(B);
    sim.run(2);
    expectRow(sim, 'srm-restart-both-nodes-manual-failover', A, [
      'IDLE',
      'INITIALIZATION',
      'RUNNING_IN_BACKUP_MODE',
      'INITIALIZATION',
    ]);
  },
  'srm-restart-backup-node': () => {
    const sim = manualFailoverDone();
    sim.restartSrm(B);
    sim.run(p.keepAliveTimeout - 1); // back before node 1's heartbeat times out
    expectRow(sim, 'srm-restart-backup-node', A, [
      'IDLE',
      'ON_ADMIN_REQUEST',
      'RUNNING_IN_BACKUP_MODE',
      'INITIALIZATION',
    ]);
  },
  'srm-restart-node-taking-over': () => {
    const sim = new PairSimulator().startNormal();
    sim.autoWorkflows = false;
    sim.apply({ type: 'AdminFailover', nodeId: A });
    sim.restartSrm(B);
    sim.run(1);
    expectRow(sim, 'srm-restart-node-taking-over', A, [
      'FAILING_OVER',
      'ON_ADMIN_REQUEST',
      'TAKING_OVER',
      'INITIALIZATION',
    ]);
  },
  'srm-restart-node-taking-back': () => {
    const sim = manualFailoverDone();
    sim.autoWorkflows = false;
    sim.apply({ type: 'AdminFallback', nodeId: A });
    sim.restartSrm(A);
    sim.run(1);
    expectRow(sim, 'srm-restart-node-taking-back', A, [
      'TAKING_BACK',
      'INITIALIZATION',
      'FALLING_BACK',
      'ON_ADMIN_REQUEST',
    ]);
    // Once the take-back is done, both nodes are Normal.
    sim.autoWorkflows = true;
    sim.run(2);
    expect(sim.pair()).toEqual([
      ['NORMAL', 'NORMAL'],
      ['NORMAL', 'NORMAL'],
    ]);
  },
  'automatic-fallback-in-progress': () => {
    const sim = criticalServiceFailover(new PairSimulator({ ...p, enableAutomaticFallback: true }));
    sim.repair(A);
    sim.run(1);
    expect(sim.stateOf(A)).toEqual(['FAILED_OVER', 'CRITICAL_SERVICE_DOWN']);
    sim.autoWorkflows = false;
    sim.run(p.automaticFallbackDelay + 1);
    expectRow(sim, 'automatic-fallback-in-progress', A, [
      'TAKING_BACK',
      'AUTOMATIC_FALLBACK',
      'FALLING_BACK',
      'AUTOMATIC_FALLBACK',
    ]);
  },
  'failed-over-ready-for-fallback': () => {
    // The administrator starts the critical services on node 1 again…
    const started = criticalServiceFailover();
    started.repair(A);
    started.run(1);
    expectRow(started, 'failed-over-ready-for-fallback', A, [
      'FAILED_OVER',
      'CRITICAL_SERVICE_DOWN',
      'RUNNING_IN_BACKUP_MODE',
      'CRITICAL_SERVICE_DOWN',
    ]);
    // …or node 1 is rebooted and its services start with it.
    const rebooted = criticalServiceFailover();
    rebooted.repair(A);
    rebooted.restartSrm(A);
    rebooted.run(1);
    expectRow(rebooted, 'failed-over-ready-for-fallback', A, [
      'FAILED_OVER',
      'INITIALIZATION',
      'RUNNING_IN_BACKUP_MODE',
      'CRITICAL_SERVICE_DOWN',
    ]);
  },
  'critical-service-down': () => {
    const sim = criticalServiceFailover();
    expectRow(sim, 'critical-service-down', A, [
      'FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING',
      'CRITICAL_SERVICE_DOWN',
      'RUNNING_IN_BACKUP_MODE',
      'CRITICAL_SERVICE_DOWN',
    ]);
    expect(sim.servingNodeOf(A)).toBe(B);
  },
  'database-failure': () => {
    const sim = new PairSimulator().startNormal();
    sim.node(A).database = 'down';
    sim.run(p.criticalServiceDelay + 2 + STOP_WAIT);
    expectRow(sim, 'database-failure', A, [
      'FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING',
      'DATABASE_FAILURE',
      'RUNNING_IN_BACKUP_MODE',
      'DATABASE_FAILURE',
    ]);
  },
  'start-of-critical-services-failed': () => {
    const sim = manualFailoverDone();
    sim.node(A).canStartServices = false;
    sim.apply({ type: 'AdminFallback', nodeId: A });
    sim.run(p.initializationKeepAliveTimeout + 1);
    expectRow(sim, 'start-of-critical-services-failed', A, [
      'RUNNING_IN_FAILED_MODE',
      'START_OF_CRITICAL_SERVICES_FAILED',
      'RUNNING_IN_FAILED_MODE',
      'START_OF_CRITICAL_SERVICES_FAILED',
    ]);
  },
  // Node 1 failed over, then the backup node loses a critical service too.
  'critical-service-down-on-backup': () => {
    const sim = criticalServiceFailover();
    sim.crash(B);
    sim.run(p.criticalServiceDelay + 1);
    expectRow(sim, 'critical-service-down-on-backup', A, [
      'RUNNING_IN_FAILED_MODE',
      'CRITICAL_SERVICE_DOWN',
      'RUNNING_IN_FAILED_MODE',
      'CRITICAL_SERVICE_DOWN',
    ]);
  },
  'peer-down': () => {
    const sim = new PairSimulator().startNormal();
    sim.node(A).alive = false;
    sim.run(p.keepAliveTimeout + 2);
    expectRow(sim, 'peer-down', A, ['DOWN', 'PEER_DOWN', 'RUNNING_IN_BACKUP_MODE', 'PEER_DOWN']);
    expect(sim.servingNodeOf(A)).toBe(B);
  },
  'peer-reboot': () => {
    const sim = new PairSimulator().startNormal();
    sim.node(A).notice = 'reboot';
    sim.heartbeat(A);
    sim.node(A).alive = false;
    sim.run(p.keepAliveTimeout + 2);
    expectRow(sim, 'peer-reboot', A, ['DOWN', 'PEER_REBOOT', 'RUNNING_IN_BACKUP_MODE', 'PEER_REBOOT']);
  },
  'peer-down-during-initialization': () => {
    const sim = new PairSimulator();
    sim.node(A).alive = false;
    sim.heartbeat(B);
    sim.apply({ type: 'EnableHa' });
    sim.run(p.initializationKeepAliveTimeout + 2);
    expectRow(sim, 'peer-down-during-initialization', A, [
      'DOWN',
      'INITIALIZATION',
      'RUNNING_IN_BACKUP_MODE',
      'PEER_DOWN_DURING_INITIALIZATION',
    ]);
    // Node 1 comes up with a critical service not running, then with all of them.
    sim.node(A).alive = true;
    sim.crash(A);
    sim.run(1);
    expectRow(sim, 'peer-down-during-initialization', A, [
      'FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING',
      'INITIALIZATION',
      'RUNNING_IN_BACKUP_MODE',
      'PEER_DOWN_DURING_INITIALIZATION',
    ]);
    sim.repair(A);
    sim.run(1);
    expectRow(sim, 'peer-down-during-initialization', A, [
      'FAILED_OVER',
      'INITIALIZATION',
      'RUNNING_IN_BACKUP_MODE',
      'PEER_DOWN_DURING_INITIALIZATION',
    ]);
  },
  'take-over-users-failed': () => {
    const sim = new PairSimulator().startNormal();
    sim.failNextMove = 'DynamoDB TransactionCanceledException';
    sim.apply({ type: 'AdminFailover', nodeId: A });
    sim.run(3); // the failing node stops its services, then the move fails
    expectRow(sim, 'take-over-users-failed', A, [
      'RUNNING_IN_FAILED_MODE',
      'TAKE_OVER_USERS_FAILED',
      'RUNNING_IN_FAILED_MODE',
      'TAKE_OVER_USERS_FAILED',
    ]);
    expect(sim.servingNodeOf(A)).toBe(A);
  },
  'take-back-users-failed': () => {
    const sim = manualFailoverDone();
    sim.failNextMove = 'DynamoDB TransactionCanceledException';
    sim.apply({ type: 'AdminFallback', nodeId: A });
    sim.run(2);
    expectRow(sim, 'take-back-users-failed', A, [
      'RUNNING_IN_FAILED_MODE',
      'TAKE_BACK_USERS_FAILED',
      'RUNNING_IN_FAILED_MODE',
      'TAKE_BACK_USERS_FAILED',
    ]);
  },
  'srm-restart-while-peer-failed': () => {
    const sim = new PairSimulator().startNormal();
    sim.failNextMove = 'timeout';
    sim.apply({ type: 'AdminFailover', nodeId: A });
    sim.run(3); // the failing node stops its services, then the move fails
    sim.restartSrm(A);
    sim.heartbeat(A);
    expectRow(sim, 'srm-restart-while-peer-failed', A, [
      'RUNNING_IN_FAILED_MODE',
      'UNKNOWN',
      'RUNNING_IN_FAILED_MODE',
      'UNKNOWN',
    ]);
  },
  'auto-recover-database-failure': () => {
    const sim = criticalServiceFailover();
    sim.repair(A);
    sim.run(1);
    sim.autoWorkflows = false;
    sim.node(B).database = 'down';
    sim.run(p.criticalServiceDelay + 1 + STOP_WAIT);
    expectRow(sim, 'auto-recover-database-failure', A, [
      'BACKUP_ACTIVATED',
      'AUTO_RECOVER_DATABASE_FAILURE',
      'FAILOVER_AFFECTED_SERVICES',
      'AUTO_RECOVER_DATABASE_FAILURE',
    ]);
    // Everyone ends up on node 1, the primary.
    sim.completeWorkflow();
    expect(sim.servingNodeOf(A)).toBe(A);
    expect(sim.servingNodeOf(B)).toBe(A);
  },
  'auto-recover-critical-service-down': () => {
    const sim = criticalServiceFailover();
    sim.repair(A);
    sim.run(1);
    sim.autoWorkflows = false;
    sim.crash(B);
    sim.run(p.criticalServiceDelay + 1 + STOP_WAIT);
    expectRow(sim, 'auto-recover-critical-service-down', A, [
      'BACKUP_ACTIVATED',
      'AUTO_RECOVER_DATABASE_FAILURE',
      'FAILOVER_AFFECTED_SERVICES',
      'AUTO_RECOVER_CRITICAL_SERVICE_DOWN',
    ]);
    sim.completeWorkflow();
    expect(sim.servingNodeOf(B)).toBe(A);
  },
  unknown: () => {
    const sim = new PairSimulator();
    sim.node(A).alive = false;
    sim.node(B).alive = false;
    sim.apply({ type: 'EnableHa' });
    sim.run(p.initializationKeepAliveTimeout + 1);
    expectRow(sim, 'unknown', A, ['UNKNOWN', 'UNKNOWN', 'UNKNOWN', 'UNKNOWN']);
    // The recommended action works: once both agents are back, both nodes are Normal.
    sim.node(A).alive = true;
    sim.node(B).alive = true;
    sim.run(2);
    expect(sim.pair()).toEqual([
      ['NORMAL', 'NORMAL'],
      ['NORMAL', 'NORMAL'],
    ]);
  },
};

const manualRows: Table2Row[] = TABLE_2.filter((r) => r.source === 'manual');

describe('Table 2: every pair of node states the manual tabulates', () => {
  it('has a scenario for every row of the manual', () => {
    expect(manualRows.map((r) => r.id).filter((id) => !(id in scenarios))).toEqual([]);
    expect(manualRows).toHaveLength(24);
  });

  for (const row of manualRows) {
    it(row.title, () => {
      scenarios[row.id]!();
    });
  }
});

const describeState = (s: keyof typeof NODE_STATES) => NODE_STATES[s].description;
const texts = (row: Table2Row) => [row.cause, ...row.recommendedActions];

describe('Table 2 texts: what an operator of presence-ha reads', () => {
  it('name the row’s nodes by id, in prose and in commands, whichever node is given first', () => {
    const down = {
      nodeId: 'imp-a',
      state: 'FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING',
      reason: 'CRITICAL_SERVICE_DOWN',
    } as const;
    const backup = {
      nodeId: 'imp-b',
      state: 'RUNNING_IN_BACKUP_MODE',
      reason: 'CRITICAL_SERVICE_DOWN',
    } as const;
    const shown = describePair(backup, down, describeState, 'prg-1');
    expect(shown.rowId).toBe('critical-service-down');
    expect(shown.cause).toContain('node imp-a');
    expect(shown.cause).toContain('node imp-b');
    expect(shown.recommendedActions.join(' ')).toContain('reboot node imp-a');
    expect(shown.recommendedActions.at(-1)).toContain('`prg fallback imp-a`');
  });

  it('tell a failed group to run `prg recover` with the group’s name, when it is known', () => {
    const failed = { state: 'RUNNING_IN_FAILED_MODE', reason: 'TAKE_OVER_USERS_FAILED' } as const;
    const a = { nodeId: 'imp-a', ...failed };
    const b = { nodeId: 'imp-b', ...failed };
    expect(describePair(a, b, describeState, 'prg-1').recommendedActions.join(' ')).toContain(
      '`prg recover prg-1`',
    );
    // Without a group name the command keeps its placeholder, which still reads as syntax.
    expect(describePair(a, b, describeState).recommendedActions.join(' ')).toContain('`prg recover <group>`');
  });

  it('leave no placeholder for a node behind, and give every failed pair a way out', () => {
    for (const row of TABLE_2) {
      for (const t of texts(row)) {
        const filled = fillNodeNames(t, 'imp-a', 'imp-b', 'prg-1');
        expect(filled, row.id).not.toMatch(/<node[12]>|<group>|\bnode ?[12]\b/i);
      }
      const failed = [...row.node1.states, ...row.node2.states].includes('RUNNING_IN_FAILED_MODE');
      if (failed && row.node1.states.includes('RUNNING_IN_FAILED_MODE')) {
        expect(row.recommendedActions.join(' '), row.id).toMatch(/`prg recover <group>`/);
      }
    }
  });

  it('speak of presence-ha’s tools, not of the manual’s administration pages', () => {
    for (const row of TABLE_2) {
      for (const t of texts(row)) {
        expect(t, row.id).not.toMatch(
          /Configuration window|Serviceability|Click Recovery|IM and Presence|\bSRM\b/,
        );
      }
    }
    for (const [code, s] of Object.entries(NODE_STATES)) {
      expect(s.description, code).not.toMatch(/IM and Presence|Server Recovery Manager|Cisco/);
    }
  });

  it('replace each name once, even when a node id reads like a placeholder', () => {
    expect(fillNodeNames('Reboot node 1, then `prg fallback <node1>` in <group>.', 'node2', 'x')).toBe(
      'Reboot node node2, then `prg fallback node2` in <group>.',
    );
    expect(fillNodeNames('node1 and Node 2', 'a', 'b', 'g')).toBe('node a and Node b');
  });
});
