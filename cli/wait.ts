import { ApiError, type ApiClient } from './client';
import { CliError, ExitCode } from './errors';
import { describeOperation, describeStates, type GroupView } from './groupView';
import { Progress } from './progress';
import { isNodeState, TRANSITIONAL_STATES } from './states';

/** How often a wait asks for the group: often enough to feel live, a GET each time. */
const POLL_MS = 500;

export interface WaitOptions {
  /** The operation the command started; the wait ends when the group no longer runs it. */
  operationId: string | null;
  timeoutSeconds: number;
  progress?: Progress;
  pollMs?: number;
}

/**
 * Whether the group has settled: the operation is over (no operation, or another one)
 * and no node is in a transitional state. Recovery ends its workflow while the nodes
 * are still Initializing, so the states count as well as the operation.
 */
export function settled(view: GroupView, operationId: string | null): boolean {
  const ours = view.operation !== null && (operationId === null || view.operation.id === operationId);
  return (
    !ours &&
    !view.nodes.some((n) => n.state !== null && isNodeState(n.state) && TRANSITIONAL_STATES.has(n.state))
  );
}

/**
 * Follows a group until its operation ends (polling `GET /v1/groups/{name}`), showing
 * progress, and returns the final view. Times out with exit 1, saying the operation goes
 * on; a control plane that stops answering for a moment is waited for, not fatal.
 */
export async function followOperation(
  api: ApiClient,
  group: string,
  options: WaitOptions,
): Promise<GroupView> {
  const progress = options.progress ?? new Progress();
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  const onInterrupt = () => {
    progress.stop();
    process.stderr.write(
      `Stopped waiting. The operation goes on on the control plane; follow it with: prg status ${group}\n`,
    );
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
  let last: GroupView | null = null;
  try {
    for (;;) {
      try {
        last = await api.call('GET /v1/groups/{name}', { path: { name: group } });
        if (settled(last, options.operationId)) return last;
        const op = describeOperation(last, null);
        progress.update(`${group}: ${describeStates(last)}${op ? ` · ${op}` : ''}`);
      } catch (e) {
        // Only a missing group or a refused token end the wait; a blip is retried until the deadline.
        if (e instanceof ApiError && e.status < 500 && e.status !== 429) throw e;
        if (e instanceof CliError && e.exitCode !== ExitCode.FAILED) throw e;
        if (!(e instanceof ApiError) && !(e instanceof CliError)) throw e;
        progress.update(`${group}: the control plane is not answering (${e.message}); retrying`);
      }
      if (Date.now() >= deadline) {
        throw new CliError(
          `gave up waiting after ${options.timeoutSeconds} s: group ${group} has not settled`,
          ExitCode.FAILED,
          [
            ...(last ? [`states: ${describeStates(last)}`] : []),
            `The operation goes on on the control plane; follow it with: prg status ${group}`,
            'Wait longer with --timeout <seconds>.',
          ],
        );
      }
      await new Promise((r) => setTimeout(r, options.pollMs ?? POLL_MS));
    }
  } finally {
    progress.stop();
    process.removeListener('SIGINT', onInterrupt);
  }
}

/**
 * Whether the operation ended failed: a --wait then exits 1. The group view says how the
 * last operation ended; a group left in Running in Failed Mode counts as failed too (a
 * failure after the operation, or a control plane too old to report lastOperation).
 */
export function endedFailed(view: GroupView, operationId: string | null = null): boolean {
  const last = view.lastOperation ?? null;
  if (last && (operationId === null || last.id === operationId) && last.outcome === 'failed') return true;
  return view.nodes.some((n) => n.state === 'RUNNING_IN_FAILED_MODE');
}
