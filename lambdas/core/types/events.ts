import type { HeartbeatBody } from '../schemas/heartbeat';
import type { NodeId } from '../schemas/identifiers';

export type WorkflowStep = 'MOVE_USERS';

/** Everything that can happen to a group: the input of the state machine. */
export type GroupEvent =
  | { type: 'Heartbeat'; nodeId: NodeId; heartbeat: HeartbeatBody }
  | { type: 'SweepTick' }
  | { type: 'AdminFailover'; nodeId: NodeId }
  | { type: 'AdminFallback'; nodeId: NodeId }
  | { type: 'AdminRecover' }
  | { type: 'EnableHa' }
  | { type: 'DisableHa' }
  | { type: 'WorkflowStepSucceeded'; operationId: string; step: WorkflowStep }
  | { type: 'WorkflowStepFailed'; operationId: string; step: WorkflowStep; error: string }
  | { type: 'AutomaticFallbackDue'; timerId: string }
  /** Starts or replaces the maintenance window. */
  | { type: 'StartMaintenance'; reason: string; until: number; by: string }
  /** Ends the maintenance window early (nothing happens when there is none). */
  | { type: 'EndMaintenance'; by: string };
