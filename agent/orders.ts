import type { HeartbeatAnswer } from './api';
import type { Log } from './log';
import type { ActionResult, NodeServices } from './services';

type Action = 'stop' | 'start';

/** Why the agent runs a start or stop: an order, its own fencing, or the end of it. */
type Cause = 'order' | 'self-fencing' | 'resume-after-fencing';

/**
 * Carries out the control plane's `serviceOrder` (docs/heartbeat-protocol.md) once — the order is repeated
 * in every answer, the command must not be; `epoch` tells a new order from a repeated
 * one (docs/agent.md, "Service orders") — and the agent's own fencing. One
 * command at a time, in the order asked: a stop queued behind a start ends stopped.
 * Commands run beside the heartbeats, never in their way: a start that takes minutes
 * must not make the node look silent.
 */
export class Orders {
  /**
   * The order last carried out (or found already satisfied), with the epoch of the
   * latest answer that repeated it: every answer with the same order moves it forward.
   */
  private lastActed: { group: string | null; epoch: number; order: Action } | null = null;
  /** The critical services are stopped because the agent fenced, not because it was told to. */
  private stoppedByFence = false;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly services: NodeServices,
    private readonly log: Log,
    /** Called after each command, so that the next heartbeat reports its effect at once. */
    private readonly afterCommand: () => void,
  ) {}

  /**
   * Acts on an answer's order. `resumed` is true for the first answer after a fence: the
   * services are stopped by the agent's own precaution, and the control plane, which
   * does not know that, must find them as it believes they are (docs/agent.md).
   */
  obey(answer: HeartbeatAnswer, resumed: boolean): void {
    const { serviceOrder: order, epoch } = answer;
    if (resumed && this.stoppedByFence) {
      this.stoppedByFence = false;
      if (order === 'stop') {
        this.lastActed = { group: answer.group, epoch, order };
        this.log.info(
          'order-satisfied',
          `The control plane orders stop (epoch ${epoch}); the critical services are already stopped by self-fencing and stay stopped.`,
          { order, epoch },
        );
        return;
      }
      // `start`: run it even if this epoch's start ran before the fence stopped everything.
      // `leave`: the control plane believes the services run as before the silence (it
      // never ordered them stopped), so they are started again.
      if (order === 'start') this.lastActed = { group: answer.group, epoch, order };
      this.enqueue('start', epoch, order === 'start' ? 'order' : 'resume-after-fencing', answer);
      return;
    }
    if (order === 'leave') return;
    const last = this.lastActed;
    // Epochs count per group: another group (or the same name created anew) starts over.
    const sameGroup = last?.group === answer.group && epoch >= last.epoch;
    if (last?.order === order && sameGroup && epoch - last.epoch <= 1) {
      // The same order, carried across at most one transition: still the order already
      // carried out. A manual failover is one order but two epochs (FAILING_OVER, then
      // IDLE when the users have moved), and must stop the services once. An order that
      // lapsed and came back (stop → start or leave → stop) is at least two epochs on.
      this.lastActed = { group: answer.group, epoch, order };
      return;
    }
    this.lastActed = { group: answer.group, epoch, order };
    this.enqueue(order, epoch, 'order', answer);
  }

  /**
   * Self-fencing: stops the critical services. Always — stopping is idempotent, and on a
   * node an order stopped earlier someone may have started them by hand since. They are
   * started again on resume only if no order had stopped them (docs/agent.md).
   */
  fence(): void {
    this.stoppedByFence = this.lastActed?.order !== 'stop';
    this.enqueue('stop', null, 'self-fencing', null);
  }

  /** Forgets what was done: a rebooted agent knows nothing of earlier epochs. */
  reset(): void {
    this.lastActed = null;
    this.stoppedByFence = false;
  }

  /** Resolves when every queued command has finished. */
  idle(): Promise<void> {
    return this.queue;
  }

  private enqueue(action: Action, epoch: number | null, cause: Cause, answer: HeartbeatAnswer | null): void {
    this.queue = this.queue.then(async () => {
      let result: ActionResult;
      try {
        result = await (action === 'stop' ? this.services.stop() : this.services.start());
      } catch (e) {
        result = { ok: false, command: action, exitCode: null, durationMs: 0, detail: String(e) };
      }
      this.report(action, epoch, cause, answer, result);
      this.afterCommand();
    });
  }

  private report(
    action: Action,
    epoch: number | null,
    cause: Cause,
    answer: HeartbeatAnswer | null,
    result: ActionResult,
  ): void {
    const verb = action === 'stop' ? 'Stopped' : 'Started';
    const why =
      cause === 'self-fencing'
        ? 'self-fencing'
        : cause === 'resume-after-fencing'
          ? `the control plane answers again and says ${answer?.state ?? 'no state'} with order leave (epoch ${epoch}); they were stopped only by self-fencing`
          : `order ${action} (epoch ${epoch}${answer?.state ? `, ${answer.state}` : ''})`;
    const fields = {
      order: action,
      epoch,
      cause,
      command: result.command,
      exitCode: result.exitCode,
      durationMs: result.durationMs,
      ...(result.detail ? { detail: result.detail } : {}),
    };
    if (result.ok) {
      this.log.info('order-executed', `${verb} the critical services: ${why}.`, fields);
      return;
    }
    const advice =
      action === 'stop'
        ? 'This node may still serve users its peer now serves: stop the critical services by hand.'
        : 'The control plane sees them down and decides (a fallback ends in Start of Critical Services Failed); start them by hand, then fall back or recover.';
    this.log.error(
      'order-failed',
      `Could not ${action} the critical services (${why}): ${result.detail || `exit status ${result.exitCode}`}. ${advice}`,
      fields,
    );
  }
}
