import type { NodeStateCode } from './states';
import { REASONS, type ReasonCode } from './reasons';

/** One side of a Table 2 row: the states and reasons it allows ("X or Y" in the manual). */
export interface RowSide {
  readonly states: readonly NodeStateCode[];
  readonly reasons: readonly ReasonCode[];
}

/**
 * A row of the manual's Table 2 ("Presence Redundancy Group Node High-Availability
 * States, Causes, and Recommended Actions"), as data. Texts are the manual's words; they
 * say "node 1" and "node 2", which {@link describePair} replaces with the real node ids.
 */
export interface Table2Row {
  /** Stable id; the row's test is named after `title`. */
  readonly id: string;
  readonly title: string;
  /** `manual`: a row of Table 2. `presence-ha`: a pair the manual leaves as prose or implies. */
  readonly source: 'manual' | 'presence-ha';
  readonly node1: RowSide;
  readonly node2: RowSide;
  readonly cause: string;
  readonly recommendedActions: readonly string[];
}

const side = (states: NodeStateCode | NodeStateCode[], reasons: ReasonCode | ReasonCode[]): RowSide => ({
  states: Array.isArray(states) ? states : [states],
  reasons: Array.isArray(reasons) ? reasons : [reasons],
});

const ALL_REASONS: readonly ReasonCode[] = Object.keys(REASONS) as ReasonCode[];

const RECOVERY_ACTION =
  'Click Recovery in the Presence Redundancy Group Configuration window. If the problem persists, then reboot the nodes.';
const MANUAL_FALLBACK_ACTION =
  'When all the critical services are up and running after the reboot, perform a manual fallback to restore the nodes in the presence redundancy group to the Normal state.';

/** Every row of Table 2, in the manual's order, then the pairs presence-ha adds. */
export const TABLE_2: readonly Table2Row[] = [
  {
    id: 'normal',
    title: 'Normal / Normal',
    source: 'manual',
    node1: side('NORMAL', 'NORMAL'),
    node2: side('NORMAL', 'NORMAL'),
    cause: 'Normal',
    recommendedActions: [],
  },
  {
    id: 'manual-failover-in-progress',
    title: 'Failing Over (On Admin Request) / Taking Over (On Admin Request)',
    source: 'manual',
    node1: side('FAILING_OVER', 'ON_ADMIN_REQUEST'),
    node2: side('TAKING_OVER', 'ON_ADMIN_REQUEST'),
    cause:
      'The administrator initiated a manual failover from node 1 to node 2. The manual failover is in progress.',
    recommendedActions: [],
  },
  {
    id: 'manual-failover-complete',
    title: 'Idle (On Admin Request) / Running in Backup Mode (On Admin Request)',
    source: 'manual',
    node1: side('IDLE', 'ON_ADMIN_REQUEST'),
    node2: side('RUNNING_IN_BACKUP_MODE', 'ON_ADMIN_REQUEST'),
    cause: 'The manual failover from node 1 to node 2 that the administrator initiated is complete.',
    recommendedActions: [],
  },
  {
    id: 'manual-fallback-in-progress',
    title: 'Taking Back (On Admin Request) / Falling Back (On Admin Request)',
    source: 'manual',
    node1: side('TAKING_BACK', 'ON_ADMIN_REQUEST'),
    node2: side('FALLING_BACK', 'ON_ADMIN_REQUEST'),
    cause:
      'The administrator initiated a manual fallback from node 2 to node 1. The manual fallback is in progress.',
    recommendedActions: [],
  },
  {
    id: 'srm-restart-idle-node',
    title: 'Idle (Initialization) / Running in Backup Mode (On Admin Request)',
    source: 'manual',
    node1: side('IDLE', 'INITIALIZATION'),
    node2: side('RUNNING_IN_BACKUP_MODE', 'ON_ADMIN_REQUEST'),
    cause: 'The administrator restarts the SRM service on node 1 while node 1 is in "Idle" state.',
    recommendedActions: [],
  },
  {
    id: 'srm-restart-both-nodes-manual-failover',
    title: 'Idle (Initialization) / Running in Backup Mode (Initialization)',
    source: 'manual',
    node1: side('IDLE', 'INITIALIZATION'),
    node2: side('RUNNING_IN_BACKUP_MODE', 'INITIALIZATION'),
    cause:
      'The administrator either restarts both nodes in the presence redundancy group, or restarts the SRM service on both nodes while the presence redundancy group was in manual failover mode.',
    recommendedActions: [],
  },
  {
    id: 'srm-restart-backup-node',
    title: 'Idle (On Admin Request) / Running in Backup Mode (Initialization)',
    source: 'manual',
    node1: side('IDLE', 'ON_ADMIN_REQUEST'),
    node2: side('RUNNING_IN_BACKUP_MODE', 'INITIALIZATION'),
    cause:
      'The administrator restarts the SRM service on node 2 while node 2 is running in backup mode, but before the heartbeat on node 1 times out.',
    recommendedActions: [],
  },
  {
    id: 'srm-restart-node-taking-over',
    title: 'Failing Over (On Admin Request) / Taking Over (Initialization)',
    source: 'manual',
    node1: side('FAILING_OVER', 'ON_ADMIN_REQUEST'),
    node2: side('TAKING_OVER', 'INITIALIZATION'),
    cause:
      'The administrator restarts the SRM service on node 2 while node 2 is taking over, but before the heartbeat on node1 times out.',
    recommendedActions: [],
  },
  {
    id: 'srm-restart-node-taking-back',
    title: 'Taking Back (Initialization) / Falling Back (On Admin Request)',
    source: 'manual',
    node1: side('TAKING_BACK', 'INITIALIZATION'),
    node2: side('FALLING_BACK', 'ON_ADMIN_REQUEST'),
    cause:
      'The administrator restarts the SRM service on node 1 while taking back, but before the heartbeat on node 2 times out. After the taking back process is complete, both nodes are in Normal state.',
    recommendedActions: [],
  },
  {
    id: 'automatic-fallback-in-progress',
    title: 'Taking Back (Automatic Fallback) / Falling Back (Automatic Fallback)',
    source: 'manual',
    node1: side('TAKING_BACK', 'AUTOMATIC_FALLBACK'),
    node2: side('FALLING_BACK', 'AUTOMATIC_FALLBACK'),
    cause: 'Automatic Fallback has been initiated from node 2 to node 1 and is currently in progress.',
    recommendedActions: [],
  },
  {
    id: 'failed-over-ready-for-fallback',
    title:
      'Failed Over (Initialization or Critical Services Down) / Running in Backup Mode (Critical Service Down)',
    source: 'manual',
    node1: side('FAILED_OVER', ['INITIALIZATION', 'CRITICAL_SERVICE_DOWN']),
    node2: side('RUNNING_IN_BACKUP_MODE', 'CRITICAL_SERVICE_DOWN'),
    cause:
      'Node 1 transitions to Failed Over state when either of the following conditions occur: critical services come back up due to a reboot of node 1; the administrator starts critical services on node 1 while node 1 is in Failed Over with Critical Services Not Running state. When node 1 transitions to Failed Over state the node is ready for the administrator to perform a manual fallback to restore the nodes in the presence redundancy group to Normal state.',
    recommendedActions: [
      'Perform a manual fallback to restore the nodes in the presence redundancy group to Normal state.',
    ],
  },
  {
    id: 'critical-service-down',
    title:
      'Failed Over with Critical Services not Running (Critical Service Down) / Running in Backup Mode (Critical Service Down)',
    source: 'manual',
    node1: side('FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING', 'CRITICAL_SERVICE_DOWN'),
    node2: side('RUNNING_IN_BACKUP_MODE', 'CRITICAL_SERVICE_DOWN'),
    cause:
      'A critical service is down on node 1. IM and Presence Service performs an automatic failover to node 2.',
    recommendedActions: [
      'Check node 1 for any critical services that are down and try to manually start those services.',
      'If the critical services on node 1 do not start, then reboot node 1.',
      MANUAL_FALLBACK_ACTION,
    ],
  },
  {
    id: 'database-failure',
    title:
      'Failed Over with Critical Services not Running (Database Failure) / Running in Backup Mode (Database Failure)',
    source: 'manual',
    node1: side('FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING', 'DATABASE_FAILURE'),
    node2: side('RUNNING_IN_BACKUP_MODE', 'DATABASE_FAILURE'),
    cause:
      'A database service is down on node 1. IM and Presence Service performs an automatic failover to node 2.',
    recommendedActions: ['Reboot node 1.', MANUAL_FALLBACK_ACTION],
  },
  {
    id: 'start-of-critical-services-failed',
    title:
      'Running in Failed Mode (Start of Critical Services Failed) / Running in Failed Mode (Start of Critical Services Failed)',
    source: 'manual',
    node1: side('RUNNING_IN_FAILED_MODE', 'START_OF_CRITICAL_SERVICES_FAILED'),
    node2: side('RUNNING_IN_FAILED_MODE', 'START_OF_CRITICAL_SERVICES_FAILED'),
    cause:
      'Critical services fail to start while a node in the presence redundancy group is taking back from the other node.',
    recommendedActions: [
      'On the node that is taking back: check the node for critical services that are down. To manually start these services, click Recovery in the Presence Redundancy Group Configuration window.',
      'If the critical services do not start, reboot the node.',
      MANUAL_FALLBACK_ACTION,
    ],
  },
  {
    id: 'critical-service-down-on-backup',
    title: 'Running in Failed Mode (Critical Service Down) / Running in Failed Mode (Critical Service Down)',
    source: 'manual',
    node1: side('RUNNING_IN_FAILED_MODE', 'CRITICAL_SERVICE_DOWN'),
    node2: side('RUNNING_IN_FAILED_MODE', 'CRITICAL_SERVICE_DOWN'),
    cause: 'Critical services go down on the backup node. Both nodes enter the failed state.',
    recommendedActions: [
      'Check the backup node for critical services that are down. To start these services manually, click Recovery in the Presence Redundancy Group Configuration window.',
      'If the critical services do not start, reboot the node.',
    ],
  },
  {
    id: 'peer-down',
    title:
      'Node 1 is down (loss of network connectivity or SRM not running) / Running in Backup Mode (Peer Down)',
    source: 'manual',
    node1: side('DOWN', 'PEER_DOWN'),
    node2: side('RUNNING_IN_BACKUP_MODE', 'PEER_DOWN'),
    cause:
      'Node 2 has lost the heartbeat from node 1. IM and Presence Service performs an automatic failover to node 2.',
    recommendedActions: [
      'If node 1 is up: check and repair the network connectivity between nodes in the presence redundancy group. When you reestablish the network connection between the nodes, the node may go into a failed state. Click Recovery in the Presence Redundancy Group Configuration window to restore the nodes to the Normal state.',
      'If node 1 is up: start the SRM service and perform a manual fallback to restore the nodes in the presence redundancy group to the Normal state.',
      '(If the node is down) Repair and power up node 1.',
      'When the node is up and all critical services are running, perform a manual fallback to restore the nodes in the presence redundancy group to the Normal state.',
    ],
  },
  {
    id: 'peer-reboot',
    title:
      'Node 1 is down (power down, hardware failure, shutdown, reboot) / Running in Backup Mode (Peer Reboot)',
    source: 'manual',
    node1: side('DOWN', 'PEER_REBOOT'),
    node2: side('RUNNING_IN_BACKUP_MODE', 'PEER_REBOOT'),
    cause:
      'IM and Presence Service performs an automatic failover to node 2 due to the following possible conditions on node 1: hardware failure, power down, restart, shutdown.',
    recommendedActions: [
      'Repair and power up node 1.',
      'When the node is up and all critical services are running, perform a manual fallback to restore the nodes in the presence redundancy group to the Normal state.',
    ],
  },
  {
    id: 'peer-down-during-initialization',
    title:
      'Failed Over with Critical Services not Running or Failed Over (Initialization) / Running in Backup Mode (Peer Down During Initialization)',
    source: 'manual',
    // DOWN is ours: until node 1 is heard from, the control plane shows it down.
    node1: side(['FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING', 'FAILED_OVER', 'DOWN'], 'INITIALIZATION'),
    node2: side('RUNNING_IN_BACKUP_MODE', 'PEER_DOWN_DURING_INITIALIZATION'),
    cause: 'Node 2 does not see node 1 during startup.',
    recommendedActions: [
      'When node 1 is up and all critical services are running, perform a manual fallback to restore the nodes in the presence redundancy group to the Normal state.',
    ],
  },
  {
    id: 'take-over-users-failed',
    title:
      'Running in Failed Mode (Cisco Server Recovery Manager Take Over Users Failed) / Running in Failed Mode (Cisco Server Recovery Manager Take Over Users Failed)',
    source: 'manual',
    node1: side('RUNNING_IN_FAILED_MODE', 'TAKE_OVER_USERS_FAILED'),
    node2: side('RUNNING_IN_FAILED_MODE', 'TAKE_OVER_USERS_FAILED'),
    cause: 'User move fails during the taking over process.',
    recommendedActions: [`Possible database error. ${RECOVERY_ACTION}`],
  },
  {
    id: 'take-back-users-failed',
    title:
      'Running in Failed Mode (Cisco Server Recovery Manager Take Back Users Failed) / Running in Failed Mode (Cisco Server Recovery Manager Take Back Users Failed)',
    source: 'manual',
    node1: side('RUNNING_IN_FAILED_MODE', 'TAKE_BACK_USERS_FAILED'),
    node2: side('RUNNING_IN_FAILED_MODE', 'TAKE_BACK_USERS_FAILED'),
    cause: 'User move fails during falling back process.',
    recommendedActions: [`Possible database error. ${RECOVERY_ACTION}`],
  },
  {
    id: 'srm-restart-while-peer-failed',
    title: 'Running in Failed Mode (Unknown) / Running in Failed Mode (Unknown)',
    source: 'manual',
    node1: side('RUNNING_IN_FAILED_MODE', 'UNKNOWN'),
    node2: side('RUNNING_IN_FAILED_MODE', 'UNKNOWN'),
    cause:
      'The SRM on a node restarts while the SRM on the other node is in a failed state, or an internal system error occurs.',
    recommendedActions: [RECOVERY_ACTION],
  },
  {
    id: 'auto-recover-database-failure',
    title:
      'Backup Activated (Auto Recover Database Failure) / Failover Affected Services (Auto Recover Database Failure)',
    source: 'manual',
    node1: side('BACKUP_ACTIVATED', 'AUTO_RECOVER_DATABASE_FAILURE'),
    node2: side('FAILOVER_AFFECTED_SERVICES', 'AUTO_RECOVER_DATABASE_FAILURE'),
    cause:
      'The database goes down on the backup node. The peer node is in failover mode and can take over for all users in the presence redundancy group. Auto-recovery operation automatically occurs and all users are moved over to the primary node.',
    recommendedActions: [],
  },
  {
    id: 'auto-recover-critical-service-down',
    title:
      'Backup Activated (Auto Recover Database Failure) / Failover Affected Services (Auto Recover Critical Service Down)',
    source: 'manual',
    // The manual shows node 1's reason as "Auto Recover Database Failure" in this row too;
    // we reproduce the row as printed (see the closing note of the foundation issue).
    node1: side('BACKUP_ACTIVATED', 'AUTO_RECOVER_DATABASE_FAILURE'),
    node2: side('FAILOVER_AFFECTED_SERVICES', 'AUTO_RECOVER_CRITICAL_SERVICE_DOWN'),
    cause:
      'A critical service goes down on the backup node. The peer node is in failover mode and can take over for all users in the presence redundancy group. Auto-recovery operation automatically occurs and all users are moved over to the peer node.',
    recommendedActions: [],
  },
  {
    id: 'unknown',
    title: 'Unknown (Unknown)',
    source: 'manual',
    node1: side('UNKNOWN', 'UNKNOWN'),
    node2: side('UNKNOWN', 'UNKNOWN'),
    cause:
      'Node state is unknown. A possible cause is that high availability was not enabled properly on the IM and Presence Service node.',
    recommendedActions: [
      'Restart the Server Recovery Manager service on both nodes in the presence redundancy group.',
    ],
  },
  // Pairs the manual implies but does not tabulate (SPEC §3).
  {
    id: 'automatic-failover-in-progress',
    title: 'Down, Failed Over with Critical Services not Running or Failover Affected Services / Taking Over',
    source: 'presence-ha',
    node1: side(
      ['DOWN', 'FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING', 'FAILED_OVER'],
      [
        'PEER_DOWN',
        'PEER_REBOOT',
        'INITIALIZATION',
        'CRITICAL_SERVICE_DOWN',
        'DATABASE_FAILURE',
        'ON_ADMIN_REQUEST',
      ],
    ),
    node2: side('TAKING_OVER', [
      'ON_ADMIN_REQUEST',
      'PEER_DOWN',
      'PEER_REBOOT',
      'PEER_DOWN_DURING_INITIALIZATION',
      'CRITICAL_SERVICE_DOWN',
      'DATABASE_FAILURE',
      'INITIALIZATION',
    ]),
    cause: 'Node 2 is taking over the users of node 1. The user move is in progress.',
    recommendedActions: [],
  },
  {
    id: 'initializing',
    title: 'Initializing',
    source: 'presence-ha',
    node1: side('INITIALIZING', 'INITIALIZATION'),
    node2: side(['INITIALIZING', 'NORMAL', 'UNKNOWN', 'DOWN'], [...ALL_REASONS]),
    cause:
      'The Server Recovery Manager is starting on node 1. Node 1 becomes Normal as soon as its heartbeat shows every critical service running.',
    recommendedActions: [
      'If node 1 stays Initializing, check that its SRM agent is running and can reach the control plane, and that its critical services start.',
    ],
  },
  {
    id: 'failed-over-after-peer-down',
    title: 'Failed Over (Peer Down or Peer Reboot) / Running in Backup Mode (Peer Down or Peer Reboot)',
    source: 'presence-ha',
    node1: side(
      ['FAILED_OVER', 'FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING'],
      ['PEER_DOWN', 'PEER_REBOOT', 'INITIALIZATION'],
    ),
    node2: side('RUNNING_IN_BACKUP_MODE', ['PEER_DOWN', 'PEER_REBOOT']),
    cause:
      'Node 2 lost the heartbeat from node 1 and took over its users. Node 1 is heard from again; its users stay on node 2 until fallback.',
    recommendedActions: [
      'If node 1 reports critical services down, start them or reboot node 1.',
      'When the node is up and all critical services are running, perform a manual fallback to restore the nodes in the presence redundancy group to the Normal state.',
    ],
  },
  {
    id: 'failed-over-after-database-failure',
    title: 'Failed Over (Database Failure) / Running in Backup Mode (Database Failure)',
    source: 'presence-ha',
    node1: side('FAILED_OVER', ['DATABASE_FAILURE', 'INITIALIZATION']),
    node2: side('RUNNING_IN_BACKUP_MODE', 'DATABASE_FAILURE'),
    cause:
      'The database of node 1 failed and node 2 took over its users. Node 1 reports its database and all critical services running again and is ready for fallback.',
    recommendedActions: [
      'Perform a manual fallback to restore the nodes in the presence redundancy group to Normal state.',
    ],
  },
  {
    id: 'auto-recovered',
    title: 'Failed Over (Auto Recover) / Running in Backup Mode (Auto Recover)',
    source: 'presence-ha',
    node1: side(
      ['FAILED_OVER', 'FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING'],
      ['AUTO_RECOVER_DATABASE_FAILURE', 'AUTO_RECOVER_CRITICAL_SERVICE_DOWN'],
    ),
    node2: side('RUNNING_IN_BACKUP_MODE', [
      'AUTO_RECOVER_DATABASE_FAILURE',
      'AUTO_RECOVER_CRITICAL_SERVICE_DOWN',
    ]),
    cause:
      'Node 1 was the backup node and lost a critical service or its database; auto-recovery moved all users to node 2.',
    recommendedActions: [
      'Check node 1 for any critical services that are down and try to manually start those services; if the database failed, reboot node 1.',
      MANUAL_FALLBACK_ACTION,
    ],
  },
  {
    id: 'failed-over-node-down',
    title: 'Down / Running in Backup Mode',
    source: 'presence-ha',
    node1: side('DOWN', [...ALL_REASONS]),
    node2: side('RUNNING_IN_BACKUP_MODE', [...ALL_REASONS]),
    cause: 'Node 1 is failed over and no longer heard from. Its users are served by node 2.',
    recommendedActions: [
      'Repair and power up node 1, or start its SRM service, and check its network connectivity to the control plane.',
      'When the node is up and all critical services are running, perform a manual fallback to restore the nodes in the presence redundancy group to the Normal state.',
    ],
  },
  {
    id: 'one-node-unknown',
    title: 'Unknown / Normal or Initializing',
    source: 'presence-ha',
    node1: side('UNKNOWN', 'UNKNOWN'),
    node2: side(['NORMAL', 'INITIALIZING'], ['NORMAL', 'INITIALIZATION']),
    cause:
      'Both nodes were lost. Node 2 is heard from again; node 1 is not yet. If node 1 stays silent for the keep-alive timeout, node 2 takes over its users.',
    recommendedActions: [
      'Restart the Server Recovery Manager service on node 1 and check its network connectivity to the control plane.',
    ],
  },
  {
    id: 'down-without-takeover',
    title: 'Down / Running in Failed Mode, Down or Unknown',
    source: 'presence-ha',
    node1: side('DOWN', [
      'PEER_DOWN',
      'PEER_REBOOT',
      'INITIALIZATION',
      'ON_ADMIN_REQUEST',
      'CRITICAL_SERVICE_DOWN',
      'DATABASE_FAILURE',
      'START_OF_CRITICAL_SERVICES_FAILED',
      'TAKE_OVER_USERS_FAILED',
      'TAKE_BACK_USERS_FAILED',
      'AUTO_RECOVER_CRITICAL_SERVICE_DOWN',
      'AUTO_RECOVER_DATABASE_FAILURE',
      'AUTOMATIC_FALLBACK',
      'UNKNOWN',
    ]),
    node2: side(
      ['RUNNING_IN_FAILED_MODE', 'DOWN', 'UNKNOWN'],
      [
        'PEER_DOWN',
        'PEER_REBOOT',
        'INITIALIZATION',
        'ON_ADMIN_REQUEST',
        'CRITICAL_SERVICE_DOWN',
        'DATABASE_FAILURE',
        'START_OF_CRITICAL_SERVICES_FAILED',
        'TAKE_OVER_USERS_FAILED',
        'TAKE_BACK_USERS_FAILED',
        'AUTO_RECOVER_CRITICAL_SERVICE_DOWN',
        'AUTO_RECOVER_DATABASE_FAILURE',
        'AUTOMATIC_FALLBACK',
        'UNKNOWN',
      ],
    ),
    cause:
      'Node 1 is down and node 2 cannot serve its users: node 2 is in a failed state or down too. Users of node 1 are not being served.',
    recommendedActions: [
      'Repair and power up node 1, or start its SRM service, and check its network connectivity to the control plane.',
      'Check node 2 for critical services that are down and start them.',
      'When both nodes are up, click Recovery in the Presence Redundancy Group Configuration window to restore the nodes to the Normal state.',
    ],
  },
  {
    id: 'both-failed',
    title: 'Running in Failed Mode / Running in Failed Mode, Down or Unknown',
    source: 'presence-ha',
    node1: side('RUNNING_IN_FAILED_MODE', [...ALL_REASONS]),
    node2: side(['RUNNING_IN_FAILED_MODE', 'UNKNOWN'], [...ALL_REASONS]),
    cause: 'Both nodes are in a failed state.',
    recommendedActions: [
      'Check both nodes for critical services that are down and for network connectivity to the control plane.',
      RECOVERY_ACTION,
    ],
  },
];

/** A node's state and reason, as the row lookup sees them. */
export interface StateReason {
  readonly nodeId: string;
  readonly state: NodeStateCode;
  readonly reason: ReasonCode;
}

const fits = (s: RowSide, n: StateReason, restartWildcard: boolean): boolean =>
  s.states.includes(n.state) &&
  (s.reasons.includes(n.reason) || (restartWildcard && n.reason === 'INITIALIZATION'));

/**
 * The Table 2 row that describes a pair, trying both orientations (the manual's
 * "node 1" is whichever node the row is about), manual rows first. An SRM restart keeps
 * a node's state and sets its reason to INITIALIZATION (SPEC §3), hiding the reason it
 * had; when no row shows the pair as it is, such a node matches its row by state alone.
 */
export function findRow(
  a: StateReason,
  b: StateReason,
): { row: Table2Row; node1: string; node2: string } | null {
  for (const restartWildcard of [false, true]) {
    for (const row of TABLE_2) {
      if (fits(row.node1, a, restartWildcard) && fits(row.node2, b, restartWildcard)) {
        return { row, node1: a.nodeId, node2: b.nodeId };
      }
      if (fits(row.node1, b, restartWildcard) && fits(row.node2, a, restartWildcard)) {
        return { row, node1: b.nodeId, node2: a.nodeId };
      }
    }
  }
  return null;
}

/** Replaces the manual's "node 1" / "node 2" (also "node1") with the real node ids. */
export function fillNodeNames(text: string, node1: string, node2: string): string {
  return text.replace(/\b([Nn])ode ?([12])\b/g, (_m, n: string, which: string) => {
    const id = which === '1' ? node1 : node2;
    return `${n}ode ${id}`;
  });
}

/** What the group view shows beside a pair: the row's cause and recommended actions. */
export interface PairDescription {
  readonly rowId: string | null;
  readonly cause: string;
  readonly recommendedActions: string[];
}

/**
 * Describes a pair of nodes with the matching Table 2 row, in the product's own words,
 * with real node ids. A pair no row covers falls back to the Table 1 descriptions, so
 * an operator always gets a sentence, never an empty cell.
 */
export function describePair(
  a: StateReason,
  b: StateReason,
  describeState: (s: NodeStateCode) => string,
): PairDescription {
  const found = findRow(a, b);
  if (!found) {
    return {
      rowId: null,
      cause: `${a.nodeId}: ${describeState(a.state)} ${b.nodeId}: ${describeState(b.state)}`,
      recommendedActions: [],
    };
  }
  const fill = (t: string) => fillNodeNames(t, found.node1, found.node2);
  return {
    rowId: found.row.id,
    cause: fill(found.row.cause),
    recommendedActions: found.row.recommendedActions.map(fill),
  };
}
