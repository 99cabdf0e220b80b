import type { NodeStateCode } from '../catalogue/states';
import type { ReasonCode } from '../catalogue/reasons';
import type { NodeId } from '../schemas/identifiers';
import type { ServiceStatus } from '../schemas/heartbeat';

/** What the control plane last heard from a node: its heartbeat facts and their timers. */
export interface NodeFacts {
  bootId: string | null;
  /**
   * The newest boot counter heard from the node (see the heartbeat's `boot`); heartbeats
   * from a lower boot are refused. Absent in groups stored before boots were counted.
   */
  boot?: number | null;
  sequence: number | null;
  /** Epoch milliseconds of the last accepted heartbeat. */
  lastHeartbeatAt: number | null;
  /**
   * Start of the current unbroken run of heartbeats (no gap over keepAliveTimeout). The
   * peer's silence only counts from here: a node cut off itself cannot accuse its peer.
   */
  heardSince: number | null;
  services: Record<string, ServiceStatus>;
  database: 'up' | 'down' | null;
  replication: number | null;
  notice: 'reboot' | 'shutdown' | null;
  /** Per critical service: when the first heartbeat of the current outage reported it down. */
  servicesDownSince: Record<string, number>;
  /** When the first heartbeat of the current outage reported the database down. */
  databaseDownSince: number | null;
  /**
   * Since when every critical service has run and the database been up, without a break:
   * a fault, a gap in the heartbeats over keepAliveTimeout or a restart starts it again.
   */
  healthySince: number | null;
  /**
   * What the node's agent acknowledged having heard, as of its last heartbeat while high
   * availability was on: the epoch of an answer of this group (this incarnation, HA on),
   * or -1 when the agent had heard nothing since it started; both mean the agent fences
   * when answers stop. Null or absent: it acknowledged nothing that makes it fence (an
   * answer saying it is in no HA group, another incarnation, or an agent that sends no
   * `heard` at all): its silence proves nothing and it is never failed over automatically
   * — unless its agent predates the acknowledgement (see `acknowledges`).
   */
  heard?: number | null;
  /**
   * True once a heartbeat of the node carried `heard` (even null): its agent acknowledges,
   * and is held to the acknowledgement for good. Absent or false on a node heard from:
   * its agent predates the acknowledgement (a fleet being upgraded), and the control plane
   * applies the rules of the release before it to that node (docs/runbooks.md, "Upgrading
   * to the acknowledgement").
   */
  acknowledges?: boolean;
}

/** One node of a group: its facts and, while high availability is on, its state and reason. */
export interface Member extends NodeFacts {
  nodeId: NodeId;
  state: NodeStateCode | null;
  reason: ReasonCode | null;
  /** While DOWN: the state it was in when it was lost, which decides where it returns. */
  downFrom: NodeStateCode | null;
  /** While INITIALIZING: when its heartbeat must have shown it healthy (epoch ms). */
  initDeadline: number | null;
  /** While INITIALIZING: a heartbeat has arrived since initialization began. */
  heardSinceInit: boolean;
}

export type WorkflowKind = 'TAKE_OVER' | 'FALL_BACK' | 'RECOVER';
/**
 * AWAIT_STOP: a take-over waits for the failing node, still heard, to stop its services;
 * AWAIT_SERVICES: a fallback waits for the node taking back to start them;
 * MOVE_USERS: the users may move.
 */
export type OperationPhase = 'AWAIT_STOP' | 'AWAIT_SERVICES' | 'MOVE_USERS';

/** The workflow running on a group; at most one at a time. */
export interface Operation {
  id: string;
  kind: WorkflowKind;
  reason: ReasonCode;
  /** Users move from this node… */
  from: NodeId;
  /** …to this one. */
  to: NodeId;
  startedAt: number;
  phase: OperationPhase;
  /**
   * AWAIT_SERVICES: the node taking back must be healthy by then; AWAIT_STOP: the failing
   * node must have reported its services stopped (or fallen silent) by then (epoch ms).
   */
  servicesDeadline: number | null;
  /**
   * AWAIT_SERVICES: when the node taking back was answered its `start` order (its first
   * heartbeat after the operation began). Only a heartbeat sent after that one can show
   * that it obeyed: an earlier one may still describe services it has since stopped.
   */
  startOrderDeliveredAt?: number | null;
  /**
   * AWAIT_STOP of a take-over no operator asked for (a fault, an auto-recovery): the
   * failing node's report of services stopped counts only from then on (epoch ms), when
   * its agent has surely either fenced or obeyed its stop order (keepAliveTimeout +
   * serviceStopSeconds after the start). Before that, a stopped report may predate a
   * restart the agent was never told to prevent. Null or absent: a report counts at once.
   */
  stopProvenAt?: number | null;
  /**
   * The group's epoch once the operation was decided: the node the users leave must
   * acknowledge an answer of at least this epoch (it heard the decision) before they move,
   * or have been silent past its fence. Absent in operations stored before it existed.
   */
  decidedEpoch?: number | null;
  /** Past this the operation is declared lost (epoch ms). */
  expiresAt: number;
}

/** How the group's last operation ended, so a client can tell success from failure exactly. */
export interface OperationResult {
  id: string;
  kind: WorkflowKind;
  reason: ReasonCode;
  from: NodeId;
  to: NodeId;
  outcome: 'succeeded' | 'failed';
  endedAt: number;
}

/** A pending automatic fallback: starts at `dueAt` unless a fault cancels it first. */
export interface AutoFallbackTimer {
  id: string;
  nodeId: NodeId;
  dueAt: number;
}

/**
 * A maintenance window: until `until`, nothing automatic starts on the group (no failover,
 * no fallback); states are still judged and shown, manual actions still work.
 */
export interface MaintenanceWindow {
  reason: string;
  /** When it ends by itself (epoch ms). */
  until: number;
  /** Who started it: the caller as the API saw it. */
  by: string;
  /** When it started (epoch ms). */
  since: number;
}

/**
 * The whole state of a presence redundancy group as the domain sees it. Users are not
 * here: a user's serving node is derived from `failedOver`, so a failover costs the same
 * for 10 users or 150,000.
 */
export interface GroupState {
  name: string;
  nodes: NodeId[];
  highAvailability: boolean;
  /**
   * Grows at every change of user ownership or of a node's service order, and at the
   * start of every operation (see `Operation.decidedEpoch`).
   */
  epoch: number;
  /** Counter that makes operation and timer ids unique within the group. */
  seq: number;
  /**
   * Names this creation of the group, and ends every operation and timer id, so that ids
   * never repeat after the group is deleted and created again under the same name: the
   * workflows are named after them, Step Functions keeps execution names for 90 days, and
   * a task of an old execution must never pass for a new operation. Absent in groups
   * stored before it existed, and in groups made without one (their ids are `kind-seq`).
   */
  incarnation?: string;
  /** The node whose users are currently served by its peer, if any. */
  failedOver: NodeId | null;
  operation: Operation | null;
  /** The last operation that ended (absent in groups stored before it existed). */
  lastOperation?: OperationResult | null;
  autoFallback: AutoFallbackTimer | null;
  /** The maintenance window, if one is on (absent in groups stored before windows existed). */
  maintenance?: MaintenanceWindow | null;
  members: Member[];
}
