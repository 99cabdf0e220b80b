import type { ClusterParameters, Effect } from '../core';
import { applyGroupEvent } from './applyGroupEvent';
import { NotFoundError } from './errors';
import type { Ports } from './ports';

/** The tasks of `statemachines/*.asl.json`, one Lambda for all (docs/stack.md has the contract). */
export type WorkflowTask =
  | { task: 'checkOperation'; group: string; operationId: string }
  | { task: 'moveUsers'; group: string; operationId: string }
  | { task: 'reportFailure'; group: string; operationId: string; error?: { Error?: string; Cause?: string } }
  | { task: 'automaticFallbackDue'; group: string; timerId: string }
  | { task: 'rehomeUsers'; group: string; operationId: string; fromNode: string; toNode: string };

/** Step Functions keeps at most 25,000 events per execution; each poll costs about nine. */
const MAX_POLLS = 2_500;

/**
 * How long the fallback workflow waits between checks: about one heartbeat (the pace at
 * which the answer can change), but never so often that waiting the whole
 * `initializationKeepAliveTimeout` would overflow the execution's history.
 */
export function pollSeconds(params: ClusterParameters): number {
  const pace = Math.max(1, Math.min(params.keepAliveInterval, 10));
  return Math.max(pace, Math.ceil(params.initializationKeepAliveTimeout / MAX_POLLS));
}

/**
 * Where an operation stands, after letting the clock rules run (so a node that missed
 * its deadline to start its services fails the operation now, not at the next sweep).
 */
export async function checkOperation(
  ports: Ports,
  group: string,
  operationId: string,
): Promise<{ phase: 'AWAIT_STOP' | 'AWAIT_SERVICES' | 'MOVE_USERS' | 'ENDED'; waitSeconds: number }> {
  const { record, params } = await applyGroupEvent(ports, group, { type: 'SweepTick' });
  const op = record.group.operation;
  const phase = op && op.id === operationId ? op.phase : 'ENDED';
  return { phase, waitSeconds: pollSeconds(params) };
}

/**
 * Moves the users of the operation: the ownership change is one write of the group, so
 * it costs the same for 10 users or 150,000; the count is reported for the record.
 */
export async function moveUsers(
  ports: Ports,
  group: string,
  operationId: string,
): Promise<{ outcome: 'moved' | 'superseded'; users: number }> {
  const { result } = await applyGroupEvent(ports, group, {
    type: 'WorkflowStepSucceeded',
    operationId,
    step: 'MOVE_USERS',
  });
  if (result.outcome !== 'applied') return { outcome: 'superseded', users: 0 };
  const moved = result.effects.flatMap((e) =>
    e.type === 'Publish' && e.event.detailType === 'UsersMoved' ? e.event.homeNodes : [],
  );
  const counts = await Promise.all(moved.map(async (id) => (await ports.nodes.get(id))?.userCount ?? 0));
  const users = counts.reduce((a, b) => a + b, 0);
  ports.log.info('Users moved', { group, operationId, users });
  return { outcome: 'moved', users };
}

/** The workflow could not move the users: both nodes enter the failed state with the manual's reason. */
export async function reportFailure(
  ports: Ports,
  group: string,
  operationId: string,
  error: { Error?: string; Cause?: string } | undefined,
): Promise<Record<string, never>> {
  const message = [error?.Error, error?.Cause].filter(Boolean).join(': ') || 'the workflow failed';
  ports.log.error(`Workflow ${operationId} on group ${group} failed: ${message}`, { group, operationId });
  try {
    await applyGroupEvent(ports, group, {
      type: 'WorkflowStepFailed',
      operationId,
      step: 'MOVE_USERS',
      error: message,
    });
  } catch (thrown) {
    // A deleted group has nothing left to fail.
    if (!(thrown instanceof NotFoundError)) throw thrown;
  }
  return {};
}

/** The automatic-fallback wait is over: re-check, and fall back if the node stayed healthy. */
export async function automaticFallbackDue(
  ports: Ports,
  group: string,
  timerId: string,
): Promise<{ started: boolean }> {
  const { result } = await applyGroupEvent(ports, group, { type: 'AutomaticFallbackDue', timerId });
  const started = result.effects.some(
    (e: Effect) => e.type === 'StartWorkflow' && e.workflow === 'FALL_BACK',
  );
  return { started };
}
