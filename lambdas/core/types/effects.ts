import type { NodeStateCode } from '../catalogue/states';
import type { ReasonCode } from '../catalogue/reasons';
import type { NodeId } from '../schemas/identifiers';
import type { WorkflowKind } from './group';

export type ServiceOrder = 'stop' | 'start' | 'leave';

/** Events published on the bus (docs/events.md); `detailType` is the EventBridge detail-type. */
export type DomainEvent =
  | {
      detailType: 'NodeStateChanged';
      group: string;
      nodeId: NodeId;
      from: NodeStateCode | null;
      to: NodeStateCode | null;
      reason: ReasonCode | null;
      epoch: number;
      at: string;
      /** Who asked for the change, when an admin action caused it (see HistoryEntry.by). */
      by?: string;
    }
  | {
      detailType: 'FailoverStarted' | 'FallbackStarted' | 'RecoveryStarted';
      group: string;
      operationId: string;
      fromNode: NodeId;
      toNode: NodeId;
      reason: ReasonCode;
      at: string;
      /** Who asked for it, when an operator did (see HistoryEntry.by). */
      by?: string;
    }
  | {
      detailType: 'FailoverCompleted' | 'FallbackCompleted' | 'RecoveryCompleted';
      group: string;
      operationId: string;
      fromNode: NodeId;
      toNode: NodeId;
      reason: ReasonCode;
      outcome: 'succeeded' | 'failed';
      at: string;
    }
  | {
      detailType: 'MaintenanceStarted';
      group: string;
      reason: string;
      until: string;
      by: string;
      at: string;
    }
  | {
      detailType: 'MaintenanceEnded';
      group: string;
      /** Who ended it; null when it ran out at its `until`. */
      by: string | null;
      at: string;
    }
  | {
      detailType: 'UsersMoved';
      group: string;
      fromNode: NodeId;
      toNode: NodeId;
      /** Users whose home is one of these nodes moved; the application counts them. */
      homeNodes: NodeId[];
      at: string;
    };

/** One line of a group's history (`GET /v1/groups/{name}/history`). */
export interface HistoryEntry {
  at: string;
  nodeId: NodeId;
  from: NodeStateCode | null;
  to: NodeStateCode | null;
  reason: ReasonCode | null;
  cause: string;
  /**
   * Who asked for the change when an admin action caused it: the caller as the API names
   * it ("user alice", "client 3abc…", locally "admin token"). The core never sets it; the
   * application stamps it on the lines of an admin action's decision. Absent when the
   * state machine decided on its own (a heartbeat, the sweep, a workflow).
   */
  by?: string;
}

/** A node's state as shown in a refusal, so the operator sees why. */
export interface NodeStatus {
  nodeId: NodeId;
  state: NodeStateCode | null;
  reason: ReasonCode | null;
}

export type RefusalCode =
  | 'HA_DISABLED'
  | 'NODE_NOT_IN_GROUP'
  | 'OPERATION_IN_PROGRESS'
  | 'STATE_CONFLICT'
  /** A heartbeat from an older boot of its node than the newest one heard. */
  | 'STALE_BOOT';

/** What the state machine asks the world to do. */
export type Effect =
  | {
      type: 'StartWorkflow';
      workflow: WorkflowKind | 'AUTO_FALLBACK';
      /** Unique within the group; the execution name derives from it, so a retried start is idempotent. */
      operationId: string;
      fromNode: NodeId;
      toNode: NodeId;
      /** AUTO_FALLBACK: how long to wait before the re-check. */
      waitSeconds?: number;
    }
  | { type: 'OrderServices'; nodeId: NodeId; order: ServiceOrder; epoch: number }
  | { type: 'Publish'; event: DomainEvent }
  | { type: 'AppendHistory'; entry: HistoryEntry }
  | { type: 'Refuse'; code: RefusalCode; message: string; states: NodeStatus[] };
