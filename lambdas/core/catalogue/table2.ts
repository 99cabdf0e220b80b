import type { NodeStateCode } from './states';
import { REASONS, type ReasonCode } from './reasons';

/** One side of a Table 2 row: the states and reasons it allows (several when the row lists alternatives). */
export interface RowSide {
  readonly states: readonly NodeStateCode[];
  readonly reasons: readonly ReasonCode[];
}

/**
 * One row of the manual's Table 2, the table of node-state pairs with their causes and
 * what to do about them, kept as data. The titles are the manual's names for the pairs;
 * the causes and actions are presence-ha's own, written for someone running `prg` and
 * `prg-agent`. They refer to the row's two nodes as "node 1" and "node 2", and to the
 * node ids and group name in commands as `<node1>`, `<node2>` and `<group>`;
 * {@link fillNodeNames} puts the real ids (and the group, when known) in their place.
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

/* @__NO_SIDE_EFFECTS__ */
const side = (
  states: NodeStateCode | readonly NodeStateCode[],
  reasons: ReasonCode | readonly ReasonCode[],
): RowSide => ({
  states: Array.isArray(states) ? states : [states],
  reasons: Array.isArray(reasons) ? reasons : [reasons],
});

/** A text made of shared sentences (marked free of side effects, like `side`). */
/* @__NO_SIDE_EFFECTS__ */
const text = (...parts: string[]): string => parts.join('');

const ALL_REASONS: readonly ReasonCode[] = /* @__PURE__ */ Object.keys(REASONS) as ReasonCode[];

/** Both nodes failed: the group needs a recovery, and a reboot if that does not hold. */
const RECOVER_GROUP =
  'Run `prg recover <group>`: both nodes restart their critical services and every user goes back to its home node. Should the group fail again, reboot both nodes of the group.';

/** Node 1 is failed over: once it is healthy, its users can go back to it. */
const FALL_BACK_TO_NODE_1 =
  'As soon as node 1 is up and reports every critical service running (`prg status` then shows it Failed Over), give it its users back with `prg fallback <node1>`; both nodes then return to Normal.';

/** After a recovery, a node may still be failed over. */
const FALL_BACK_AFTER_RECOVERY =
  'If, once every critical service runs again, a node is still shown Failed Over, give it its users back with `prg fallback <node>` so that both nodes return to Normal.';

/** How to find out which critical service is down on a node. */
const WHICH_SERVICE =
  '`prg status` lists what its last heartbeat reported, and `prg-agent check --config <file>` run on that node tries each configured check once';

/** Every row of Table 2, in the manual's order, then the pairs presence-ha adds. */
export const TABLE_2: readonly Table2Row[] = [
  {
    id: 'normal',
    title: 'Normal / Normal',
    source: 'manual',
    node1: side('NORMAL', 'NORMAL'),
    node2: side('NORMAL', 'NORMAL'),
    cause: 'Both nodes are healthy and each serves its own users.',
    recommendedActions: [],
  },
  {
    id: 'manual-failover-in-progress',
    title: 'Failing Over (On Admin Request) / Taking Over (On Admin Request)',
    source: 'manual',
    node1: side('FAILING_OVER', 'ON_ADMIN_REQUEST'),
    node2: side('TAKING_OVER', 'ON_ADMIN_REQUEST'),
    cause:
      'An operator asked for node 1 to be failed over (`prg failover <node1>`); node 2 is taking its users over right now.',
    recommendedActions: [],
  },
  {
    id: 'manual-failover-complete',
    title: 'Idle (On Admin Request) / Running in Backup Mode (On Admin Request)',
    source: 'manual',
    node1: side('IDLE', 'ON_ADMIN_REQUEST'),
    node2: side('RUNNING_IN_BACKUP_MODE', 'ON_ADMIN_REQUEST'),
    cause: 'The failover an operator asked for is done: node 1 is idle and node 2 serves its users.',
    recommendedActions: [],
  },
  {
    id: 'manual-fallback-in-progress',
    title: 'Taking Back (On Admin Request) / Falling Back (On Admin Request)',
    source: 'manual',
    node1: side('TAKING_BACK', 'ON_ADMIN_REQUEST'),
    node2: side('FALLING_BACK', 'ON_ADMIN_REQUEST'),
    cause:
      'An operator asked for a fallback to node 1 (`prg fallback <node1>`); node 1 is taking its users back from node 2 right now.',
    recommendedActions: [],
  },
  {
    id: 'srm-restart-idle-node',
    title: 'Idle (Initialization) / Running in Backup Mode (On Admin Request)',
    source: 'manual',
    node1: side('IDLE', 'INITIALIZATION'),
    node2: side('RUNNING_IN_BACKUP_MODE', 'ON_ADMIN_REQUEST'),
    cause: 'Someone restarted prg-agent on node 1 while node 1 sat idle after a manual failover.',
    recommendedActions: [],
  },
  {
    id: 'srm-restart-both-nodes-manual-failover',
    title: 'Idle (Initialization) / Running in Backup Mode (Initialization)',
    source: 'manual',
    node1: side('IDLE', 'INITIALIZATION'),
    node2: side('RUNNING_IN_BACKUP_MODE', 'INITIALIZATION'),
    cause:
      'While the group stood manually failed over, both nodes were rebooted, or prg-agent was restarted on both of them.',
    recommendedActions: [],
  },
  {
    id: 'srm-restart-backup-node',
    title: 'Idle (On Admin Request) / Running in Backup Mode (Initialization)',
    source: 'manual',
    node1: side('IDLE', 'ON_ADMIN_REQUEST'),
    node2: side('RUNNING_IN_BACKUP_MODE', 'INITIALIZATION'),
    cause:
      'Someone restarted prg-agent on node 2 while node 2 was serving as the backup, and node 2 was heard from again before its keep-alive timeout ran out.',
    recommendedActions: [],
  },
  {
    id: 'srm-restart-node-taking-over',
    title: 'Failing Over (On Admin Request) / Taking Over (Initialization)',
    source: 'manual',
    node1: side('FAILING_OVER', 'ON_ADMIN_REQUEST'),
    node2: side('TAKING_OVER', 'INITIALIZATION'),
    cause:
      'Someone restarted prg-agent on node 2 in the middle of its takeover, and node 2 was heard from again before its keep-alive timeout ran out.',
    recommendedActions: [],
  },
  {
    id: 'srm-restart-node-taking-back',
    title: 'Taking Back (Initialization) / Falling Back (On Admin Request)',
    source: 'manual',
    node1: side('TAKING_BACK', 'INITIALIZATION'),
    node2: side('FALLING_BACK', 'ON_ADMIN_REQUEST'),
    cause:
      'Someone restarted prg-agent on node 1 in the middle of taking its users back, and node 1 was heard from again before its keep-alive timeout ran out. When the take-back finishes, both nodes turn Normal.',
    recommendedActions: [],
  },
  {
    id: 'automatic-fallback-in-progress',
    title: 'Taking Back (Automatic Fallback) / Falling Back (Automatic Fallback)',
    source: 'manual',
    node1: side('TAKING_BACK', 'AUTOMATIC_FALLBACK'),
    node2: side('FALLING_BACK', 'AUTOMATIC_FALLBACK'),
    cause: 'An automatic fallback is under way: presence-ha is moving the users of node 1 back from node 2.',
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
      'Node 1 reports every critical service running again, either because node 1 was rebooted or because someone started the stopped services by hand. Its users are still on node 2, and node 1 is ready to take them back.',
    recommendedActions: [
      'Give node 1 its users back with `prg fallback <node1>`; both nodes then return to Normal.',
    ],
  },
  {
    id: 'critical-service-down',
    title:
      'Failed Over with Critical Services not Running (Critical Service Down) / Running in Backup Mode (Critical Service Down)',
    source: 'manual',
    node1: side('FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING', 'CRITICAL_SERVICE_DOWN'),
    node2: side('RUNNING_IN_BACKUP_MODE', 'CRITICAL_SERVICE_DOWN'),
    cause: 'A critical service stopped on node 1, so presence-ha moved its users to node 2 on its own.',
    recommendedActions: [
      text(
        'Find the critical service that is down on node 1 (',
        WHICH_SERVICE,
        "; the agent's log also names the failing check), then start it.",
      ),
      'If it will not start, reboot node 1.',
      FALL_BACK_TO_NODE_1,
    ],
  },
  {
    id: 'database-failure',
    title:
      'Failed Over with Critical Services not Running (Database Failure) / Running in Backup Mode (Database Failure)',
    source: 'manual',
    node1: side('FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING', 'DATABASE_FAILURE'),
    node2: side('RUNNING_IN_BACKUP_MODE', 'DATABASE_FAILURE'),
    cause: 'The database of node 1 went down, so presence-ha moved its users to node 2 on its own.',
    recommendedActions: ['Reboot node 1.', FALL_BACK_TO_NODE_1],
  },
  {
    id: 'start-of-critical-services-failed',
    title:
      'Running in Failed Mode (Start of Critical Services Failed) / Running in Failed Mode (Start of Critical Services Failed)',
    source: 'manual',
    node1: side('RUNNING_IN_FAILED_MODE', 'START_OF_CRITICAL_SERVICES_FAILED'),
    node2: side('RUNNING_IN_FAILED_MODE', 'START_OF_CRITICAL_SERVICES_FAILED'),
    cause:
      'One node was taking its users back from the other, and its critical services did not come up, so both nodes are now failed.',
    recommendedActions: [
      text(
        'On the node that was taking its users back, find which critical services are down (',
        WHICH_SERVICE,
        '), then run `prg recover <group>`, which has both nodes start their critical services again.',
      ),
      'If they still do not come up, reboot that node.',
      FALL_BACK_AFTER_RECOVERY,
    ],
  },
  {
    id: 'critical-service-down-on-backup',
    title: 'Running in Failed Mode (Critical Service Down) / Running in Failed Mode (Critical Service Down)',
    source: 'manual',
    node1: side('RUNNING_IN_FAILED_MODE', 'CRITICAL_SERVICE_DOWN'),
    node2: side('RUNNING_IN_FAILED_MODE', 'CRITICAL_SERVICE_DOWN'),
    cause:
      'A critical service stopped on the node that was serving as the backup, which leaves both nodes failed.',
    recommendedActions: [
      text(
        'On the backup node, find which critical services are down (',
        WHICH_SERVICE,
        '), then run `prg recover <group>`, which has both nodes start their critical services again.',
      ),
      'If they still do not come up, reboot that node.',
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
      'No heartbeat came from node 1 within the keep-alive timeout, so presence-ha moved its users to node 2 on its own.',
    recommendedActions: [
      'If node 1 is running, its heartbeats are not getting through: repair the network between node 1 and the control plane. Once they arrive again the group may end up failed; if so, run `prg recover <group>` to bring both nodes back to Normal.',
      'If node 1 is running but prg-agent is not, start prg-agent on node 1.',
      'If node 1 itself is down, repair it and power it on.',
      FALL_BACK_TO_NODE_1,
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
      'Node 1 went away (a reboot or shutdown, a power cut or a hardware fault), so presence-ha moved its users to node 2 on its own.',
    recommendedActions: ['Repair node 1 if it needs it, and power it on.', FALL_BACK_TO_NODE_1],
  },
  {
    id: 'peer-down-during-initialization',
    title:
      'Failed Over with Critical Services not Running or Failed Over (Initialization) / Running in Backup Mode (Peer Down During Initialization)',
    source: 'manual',
    // DOWN is ours: until node 1 is heard from, the control plane shows it down.
    node1: side(['FAILED_OVER_CRITICAL_SERVICES_NOT_RUNNING', 'FAILED_OVER', 'DOWN'], 'INITIALIZATION'),
    node2: side('RUNNING_IN_BACKUP_MODE', 'PEER_DOWN_DURING_INITIALIZATION'),
    cause: 'When node 2 started, node 1 was not heard from, so node 2 took over its users.',
    recommendedActions: [FALL_BACK_TO_NODE_1],
  },
  {
    id: 'take-over-users-failed',
    title:
      'Running in Failed Mode (Cisco Server Recovery Manager Take Over Users Failed) / Running in Failed Mode (Cisco Server Recovery Manager Take Over Users Failed)',
    source: 'manual',
    node1: side('RUNNING_IN_FAILED_MODE', 'TAKE_OVER_USERS_FAILED'),
    node2: side('RUNNING_IN_FAILED_MODE', 'TAKE_OVER_USERS_FAILED'),
    cause: 'Moving the users to the other node failed during a takeover.',
    recommendedActions: [text('The database may be at fault. ', RECOVER_GROUP)],
  },
  {
    id: 'take-back-users-failed',
    title:
      'Running in Failed Mode (Cisco Server Recovery Manager Take Back Users Failed) / Running in Failed Mode (Cisco Server Recovery Manager Take Back Users Failed)',
    source: 'manual',
    node1: side('RUNNING_IN_FAILED_MODE', 'TAKE_BACK_USERS_FAILED'),
    node2: side('RUNNING_IN_FAILED_MODE', 'TAKE_BACK_USERS_FAILED'),
    cause: 'Moving the users back to their home node failed during a fallback.',
    recommendedActions: [text('The database may be at fault. ', RECOVER_GROUP)],
  },
  {
    id: 'srm-restart-while-peer-failed',
    title: 'Running in Failed Mode (Unknown) / Running in Failed Mode (Unknown)',
    source: 'manual',
    node1: side('RUNNING_IN_FAILED_MODE', 'UNKNOWN'),
    node2: side('RUNNING_IN_FAILED_MODE', 'UNKNOWN'),
    cause:
      'Either prg-agent restarted on one node while the other node was failed, or presence-ha hit an internal error.',
    recommendedActions: [RECOVER_GROUP],
  },
  {
    id: 'auto-recover-database-failure',
    title:
      'Backup Activated (Auto Recover Database Failure) / Failover Affected Services (Auto Recover Database Failure)',
    source: 'manual',
    node1: side('BACKUP_ACTIVATED', 'AUTO_RECOVER_DATABASE_FAILURE'),
    node2: side('FAILOVER_AFFECTED_SERVICES', 'AUTO_RECOVER_DATABASE_FAILURE'),
    cause:
      'The database of node 2, the backup, went down. Node 1, failed over but healthy, can serve the whole group, so presence-ha recovers by itself: every user moves to node 1, the primary.',
    recommendedActions: [],
  },
  {
    id: 'auto-recover-critical-service-down',
    title:
      'Backup Activated (Auto Recover Database Failure) / Failover Affected Services (Auto Recover Critical Service Down)',
    source: 'manual',
    // The manual gives node 1 the reason "Auto Recover Database Failure" in this row as
    // well; the row is kept exactly as the manual prints it.
    node1: side('BACKUP_ACTIVATED', 'AUTO_RECOVER_DATABASE_FAILURE'),
    node2: side('FAILOVER_AFFECTED_SERVICES', 'AUTO_RECOVER_CRITICAL_SERVICE_DOWN'),
    cause:
      'A critical service stopped on node 2, the backup. Node 1, failed over but healthy, can serve the whole group, so presence-ha recovers by itself: every user moves to node 1.',
    recommendedActions: [],
  },
  {
    id: 'unknown',
    title: 'Unknown (Unknown)',
    source: 'manual',
    node1: side('UNKNOWN', 'UNKNOWN'),
    node2: side('UNKNOWN', 'UNKNOWN'),
    cause:
      'The state of the nodes is not known; most likely high availability was not turned on correctly for the group.',
    recommendedActions: ['Restart prg-agent on both nodes of the group.'],
  },
  // Pairs that the manual describes in prose or implies, but leaves out of the table.
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
    node2: side(['INITIALIZING', 'NORMAL', 'UNKNOWN', 'DOWN'], ALL_REASONS),
    cause:
      'The agent on node 1 (prg-agent) is starting. Node 1 turns Normal as soon as a heartbeat shows every critical service running.',
    recommendedActions: [
      'If node 1 stays Initializing, check that prg-agent runs on it and reaches the control plane (its log reports failed heartbeats), and that its critical services start (`prg-agent check --config <file>` on node 1).',
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
      FALL_BACK_TO_NODE_1,
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
      'Give node 1 its users back with `prg fallback <node1>`; both nodes then return to Normal.',
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
      text(
        'Start the critical services that are down on node 1 (',
        WHICH_SERVICE,
        '); if its database failed, reboot node 1.',
      ),
      FALL_BACK_TO_NODE_1,
    ],
  },
  {
    id: 'failed-over-node-down',
    title: 'Down / Running in Backup Mode',
    source: 'presence-ha',
    node1: side('DOWN', ALL_REASONS),
    node2: side('RUNNING_IN_BACKUP_MODE', ALL_REASONS),
    cause: 'Node 1 is failed over and no longer heard from. Its users are served by node 2.',
    recommendedActions: [
      'Bring node 1 back: repair it and power it on, or start prg-agent on it, and make sure it can reach the control plane.',
      FALL_BACK_TO_NODE_1,
    ],
  },
  {
    id: 'down-not-told-of-ha',
    title: 'Down / Normal',
    source: 'presence-ha',
    node1: side('DOWN', ['PEER_DOWN', 'PEER_REBOOT', 'INITIALIZATION']),
    node2: side('NORMAL', 'NORMAL'),
    cause:
      'No heartbeat came from node 1 within the keep-alive timeout, but its agent never acknowledged being in this HA group: it may still serve its users without knowing it must stop, so presence-ha does not move them to node 2 on its own.',
    recommendedActions: [
      'Make node 1 reach the control plane again (network, prg-agent): once it is heard, it initializes like any node.',
      'If you know node 1 is off or its critical services are stopped, run `prg failover <group> <node 1>` to move its users to node 2; if node 1 is in fact still serving them, both nodes serve them until it hears the control plane.',
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
    recommendedActions: ['Restart prg-agent on node 1 and make sure it can reach the control plane.'],
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
      'Bring node 1 back: repair it and power it on, or start prg-agent on it, and make sure it can reach the control plane.',
      'Start the critical services that are down on node 2.',
      'When both nodes are up, run `prg recover <group>` to bring them back to Normal.',
    ],
  },
  {
    id: 'both-failed',
    title: 'Running in Failed Mode / Running in Failed Mode, Down or Unknown',
    source: 'presence-ha',
    node1: side('RUNNING_IN_FAILED_MODE', ALL_REASONS),
    node2: side(['RUNNING_IN_FAILED_MODE', 'UNKNOWN'], ALL_REASONS),
    cause: 'Both nodes are in a failed state.',
    recommendedActions: [
      'Check both nodes for critical services that are down (`prg-agent check --config <file>` on each) and for a working connection to the control plane.',
      RECOVER_GROUP,
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
 * The Table 2 row that describes a pair, trying both orientations (a row's "node 1" is
 * whichever node the row is about), manual rows first. Restarting a node's agent leaves
 * its state as it was but turns its reason into INITIALIZATION, so the reason it had is
 * lost; when no row shows the pair as it is, such a node matches its row by state alone.
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

/**
 * Puts the real names into a row's text: `<node1>` / `<node2>` become the bare node ids
 * (for commands), "node 1" / "node 2" (also "node1") become "node <id>", and `<group>`
 * becomes the group's name when it is given (otherwise it stays, as command syntax).
 * One pass, so a node id that itself reads like "node1" is never replaced twice.
 */
export function fillNodeNames(text: string, node1: string, node2: string, group?: string): string {
  return text.replace(
    /<node([12])>|<group>|\b([Nn])ode ?([12])\b/g,
    (m, bare: string | undefined, n: string | undefined, which: string | undefined) => {
      if (bare) return bare === '1' ? node1 : node2;
      if (m === '<group>') return group ?? m;
      return `${n}ode ${which === '1' ? node1 : node2}`;
    },
  );
}

/** What the group view shows beside a pair: the row's cause and recommended actions. */
export interface PairDescription {
  readonly rowId: string | null;
  readonly cause: string;
  readonly recommendedActions: string[];
}

/**
 * Describes a pair of nodes with the matching Table 2 row, with real node ids and, when
 * `group` is given, the group's name in the commands. A pair no row covers falls back to
 * the Table 1 descriptions, so an operator always gets a sentence, never an empty cell.
 */
export function describePair(
  a: StateReason,
  b: StateReason,
  describeState: (s: NodeStateCode) => string,
  group?: string,
): PairDescription {
  const found = findRow(a, b);
  if (!found) {
    return {
      rowId: null,
      cause: `${a.nodeId}: ${describeState(a.state)} ${b.nodeId}: ${describeState(b.state)}`,
      recommendedActions: [],
    };
  }
  const fill = (t: string) => fillNodeNames(t, found.node1, found.node2, group);
  return {
    rowId: found.row.id,
    cause: fill(found.row.cause),
    recommendedActions: found.row.recommendedActions.map(fill),
  };
}
