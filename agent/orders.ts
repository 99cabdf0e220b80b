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
/** One start or stop waiting for its turn (or running). */
interface Command {
  action: Action;
  epoch: number | null;
  cause: Cause;
  answer: HeartbeatAnswer | null;
}

export class Orders {
  /**
   * The order last carried out (or found already satisfied), with the epoch of the
   * latest answer that repeated it: every answer with the same order moves it forward.
   */
  private lastActed: { group: string | null; epoch: number; order: Action } | null = null;
  /** The critical services are stopped because the agent fenced, not because it was told to. */
  private stoppedByFence = false;
  /** The services were all down when the agent started: see {@link assumeFenced}. */
  private startedDown = false;
  /** The command running now, and how to kill it. */
  private running: { command: Command; abort: AbortController } | null = null;
  private pending: Command[] = [];
  /** Resolves when the queue runs dry; replaced whenever a command is queued on an idle queue. */
  private drained: Promise<void> = Promise.resolve();
  private markDrained: () => void = () => undefined;

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
    // Services found down at start count as fenced for the first answer only, and only in
    // an HA group: a node in none never fences, so nothing of the agent's stopped them.
    const startedDown = this.startedDown && answer.group !== null;
    this.startedDown = false;
    if ((resumed || startedDown) && this.stoppedByFence) {
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
      this.enqueue({
        action: 'start',
        epoch,
        cause: order === 'start' ? 'order' : 'resume-after-fencing',
        answer,
      });
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
    // A stop order does not wait behind a start either: the control plane moves the users
    // once this node acknowledges the order and reports its services stopped, so no start
    // queued or running from an earlier answer may bring them back afterwards.
    if (order === 'stop') this.preemptStarts('the control plane orders stop');
    this.enqueue({ action: order, epoch, cause: 'order', answer });
  }

  /** Drops every queued command and kills a running start (a running stop may finish). */
  private preemptStarts(why: string): void {
    const dropped = this.pending;
    this.pending = [];
    for (const command of dropped)
      this.log.warn(
        'order-dropped',
        `Dropped the queued ${command.action} (${this.why(command)}): ${why}, which comes first; the control plane's next answer decides again.`,
        { order: command.action, epoch: command.epoch, cause: command.cause },
      );
    const current = this.running;
    if (current && current.command.action === 'start') current.abort.abort(new FencePreemption());
  }

  /**
   * Self-fencing: stops the critical services now. Always — stopping is idempotent, and
   * on a node an order stopped earlier someone may have started them by hand since. They
   * are started again on resume only if no order had stopped them (docs/agent.md).
   *
   * The fence does not wait its turn: the peer may take the users over at a fixed moment,
   * and a start can run for commandTimeoutSeconds. Every queued command is dropped (the
   * control plane's next answer decides again), and a running start is killed; a running
   * stop is left to finish, since it does what the fence wants.
   */
  fence(): void {
    this.stoppedByFence = this.lastActed?.order !== 'stop';
    this.preemptStarts('self-fencing stops the critical services');
    this.enqueue({ action: 'stop', epoch: null, cause: 'self-fencing', answer: null });
  }

  /**
   * Treats the critical services as stopped by a fence of the agent's own. An agent
   * starting on a node whose services are all down (the node has just booted, or the
   * systemd fence unit stopped them when the previous agent died) starts them again only
   * when the control plane answers, exactly as after a fence (docs/agent.md).
   */
  assumeFenced(): void {
    this.stoppedByFence = true;
    this.startedDown = true;
  }

  /** Forgets what was done: a rebooted agent knows nothing of earlier epochs. */
  reset(): void {
    this.lastActed = null;
    this.stoppedByFence = false;
    this.startedDown = false;
  }

  /** Kills the running command and drops the queued ones: the agent is going away. */
  halt(): void {
    this.pending = [];
    this.running?.abort.abort(new Error('the agent stopped'));
  }

  /** Resolves when every queued command has finished. */
  idle(): Promise<void> {
    return this.drained;
  }

  private enqueue(command: Command): void {
    this.pending.push(command);
    if (this.running) return;
    this.drained = new Promise((resolve) => (this.markDrained = resolve));
    void this.pump();
  }

  /** Runs the queued commands one after the other until none is left. */
  private async pump(): Promise<void> {
    for (let command = this.pending.shift(); command; command = this.pending.shift()) {
      const abort = new AbortController();
      this.running = { command, abort };
      const { action } = command;
      let result: ActionResult;
      try {
        result = await (action === 'stop'
          ? this.services.stop(abort.signal)
          : this.services.start(abort.signal));
      } catch (e) {
        result = { ok: false, command: action, exitCode: null, durationMs: 0, detail: String(e) };
      }
      this.running = null;
      if (abort.signal.aborted && abort.signal.reason instanceof FencePreemption)
        result = { ...result, ok: false, detail: 'killed: a stop (self-fencing or ordered) pre-empted it' };
      this.report(command, result);
      this.afterCommand();
    }
    this.markDrained();
  }

  private why({ action, epoch, cause, answer }: Command): string {
    return cause === 'self-fencing'
      ? 'self-fencing'
      : cause === 'resume-after-fencing'
        ? `the control plane answers again and says ${answer?.state ?? 'no state'} with order leave (epoch ${epoch}); they were stopped only by self-fencing`
        : `order ${action} (epoch ${epoch}${answer?.state ? `, ${answer.state}` : ''})`;
  }

  private report(command: Command, result: ActionResult): void {
    const { action, epoch, cause } = command;
    const verb = action === 'stop' ? 'Stopped' : 'Started';
    const why = this.why(command);
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
        : result.detail.includes('self-fencing')
          ? 'The control plane decides again when it answers.'
          : 'The control plane sees them down and decides (a fallback ends in Start of Critical Services Failed); start them by hand, then fall back or recover.';
    this.log.error(
      'order-failed',
      `Could not ${action} the critical services (${why}): ${result.detail || `exit status ${result.exitCode}`}. ${advice}`,
      fields,
    );
  }
}

/** Why a start was killed: the fence, or a stop order, needed the node stopped now. */
class FencePreemption extends Error {
  constructor() {
    super('a stop pre-empted the command');
  }
}
