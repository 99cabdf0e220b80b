import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import {
  DEFAULT_CRITICAL_SERVICES,
  NODE_STATES,
  REASONS,
  reasonLabel,
  stateLabel,
  type HeartbeatBody,
  type NodeStateCode,
  type ReasonCode,
} from '../lambdas/core';
import { postHeartbeat, type HeartbeatAnswer, type HeartbeatOutcome } from './api';
import { sleep, systemClock, type Clock } from './clock';
import { MemoryBootCounter, type BootCounter } from './bootCounter';
import { apiBase, type AgentConfig } from './config';
import { Fence } from './fencing';
import { HeartbeatLoop } from './heartbeatLoop';
import { createLog, type Log, type LogLine } from './log';
import { Orders } from './orders';
import { systemdNotifier, Watchdog, watchdogIntervalMs } from './watchdog';
import { realServices, type NodeServices, type Observation } from './services';
import { FakeServices, listeningPort, startControlServer } from './simulate';

export interface AgentOptions {
  config: AgentConfig;
  /** Fake services and a control port instead of the config's checks and commands. */
  simulate?: boolean;
  /** Overrides `simulate.controlPort` (0: any free port). */
  controlPort?: number;
  /** Where log lines go; stdout (one JSON object per line) by default. */
  writeLog?: (line: LogLine) => void;
  /** The node's services; by default the config's checks and commands, or fake ones with `simulate`. */
  services?: NodeServices;
  /** Time and timers; the process's monotonic clock by default. */
  clock?: Clock;
  /** Sends one heartbeat; by default `POST {apiUrl}/v1/nodes/{nodeId}/heartbeat` with the config's token. */
  sendHeartbeat?: SendHeartbeat;
  /**
   * The boot counter, already raised for this start (main opens the config's state file);
   * by default one kept in memory from 0, which only suits agents built in-process.
   */
  bootCounter?: BootCounter;
  /** Draws the heartbeat retries' jitter; Math.random by default (the simulator seeds its own). */
  random?: () => number;
  /** Names a new boot; {@link newBootId} by default (the simulator wants names it can replay). */
  newBootId?: (nodeId: string, boot: number) => string;
  /**
   * The environment that says whether systemd supervises the agent (NOTIFY_SOCKET,
   * WATCHDOG_USEC); process.env by default.
   */
  env?: NodeJS.ProcessEnv;
}

/** The transport of a heartbeat: bounded by `timeoutMs`, never throws. */
export type SendHeartbeat = (body: HeartbeatBody, timeoutMs: number) => Promise<HeartbeatOutcome>;

/** A bootId unique to this start of the agent: it changes whenever the agent (or the node) restarts. */
export function newBootId(nodeId: string): string {
  return `${nodeId}-${new Date().toISOString()}-${randomBytes(4).toString('hex')}`;
}

const label = (state: string | null, reason: string | null) => {
  if (state === null) return 'not in a high-availability group';
  const stateText = state in NODE_STATES ? stateLabel(state as NodeStateCode) : state;
  const reasonText = reason !== null && reason in REASONS ? reasonLabel(reason as ReasonCode) : reason;
  return reasonText ? `${stateText} (${reasonText})` : stateText;
};

/**
 * The `prg-agent` node agent: heartbeats at the control plane's interval, obeys its
 * service orders once each, fences itself when the control plane stops answering,
 * and logs one line per change. `start()` runs it; `shutdown()` sends the last heartbeat.
 */
export class Agent {
  readonly nodeId: string;
  readonly services: NodeServices;
  readonly fake: FakeServices | null;
  bootId: string;
  /** This start's boot counter, sent in every heartbeat so that boots are ordered without clocks. */
  boot: number;
  private readonly bootCounter: BootCounter;
  private sequence = 0;
  private readonly base: string;
  private readonly log: Log;
  private readonly loop: HeartbeatLoop;
  private readonly fence: Fence;
  private readonly orders: Orders;
  private readonly watchdog: Watchdog | null;
  private readonly clock: Clock;
  private readonly sendHeartbeat: SendHeartbeat;
  private control: Server | null = null;
  private controlPortValue: number | null = null;
  private lastAnswer: HeartbeatAnswer | null = null;
  private lastObservation: Observation | null = null;
  /** Since when no heartbeat was acknowledged (on the agent's clock), null while they are. */
  private lostSince: number | null = null;
  /** The outage's connection-lost line is written (one per outage). */
  private lostLogged = false;
  /** The last refusal logged, so that a repeated one is not. */
  private lastRefusal: string | null = null;
  private everAnswered = false;
  private stopped = false;
  /** Cancels the end of a simulated reboot, while one is under way. */
  private rebooting: (() => void) | null = null;

  constructor(private readonly options: AgentOptions) {
    const { config } = options;
    this.nodeId = config.nodeId;
    this.base = apiBase(config.apiUrl);
    this.bootCounter = options.bootCounter ?? new MemoryBootCounter();
    this.boot = this.bootCounter.current;
    this.bootId = this.makeBootId();
    this.log = createLog(config.nodeId, options.writeLog);
    this.clock = options.clock ?? systemClock;
    this.sendHeartbeat =
      options.sendHeartbeat ??
      ((body, timeoutMs) => postHeartbeat(this.base, this.nodeId, config.token, body, timeoutMs));
    if (options.services) {
      this.fake = null;
      this.services = options.services;
    } else if (options.simulate) {
      this.fake = new FakeServices(
        config.nodeId,
        Object.keys(config.services ?? {}).length > 0
          ? Object.keys(config.services ?? {})
          : DEFAULT_CRITICAL_SERVICES,
      );
      this.services = this.fake;
    } else {
      this.fake = null;
      this.services = realServices(config);
    }
    this.loop = new HeartbeatLoop(() => this.beat(), options.random ?? Math.random, this.clock);
    this.orders = new Orders(this.services, this.log, () => this.loop.soon());
    this.fence = new Fence(
      config.keepAliveTimeoutSeconds * 1000,
      (silentMs) => this.selfFence(silentMs),
      this.clock,
      config.stopTimeSeconds === undefined ? null : config.stopTimeSeconds * 1000,
    );
    const env = options.env ?? process.env;
    const notifier = systemdNotifier(env, this.log);
    this.watchdog =
      notifier && new Watchdog(notifier, this.clock, () => this.healthy(), watchdogIntervalMs(env), this.log);
  }

  /**
   * Healthy, for systemd's watchdog: the heartbeat loop makes progress. A beat may take
   * its checks and its request; more than keepAliveTimeout on top of the interval means
   * the loop is stuck, and the node would be failed over anyway.
   */
  private healthy(): boolean {
    return this.rebooting !== null || this.loop.progressing(this.fence.timeoutSeconds * 1000);
  }

  private makeBootId(): string {
    return (this.options.newBootId ?? newBootId)(this.nodeId, this.boot);
  }

  /**
   * Stops everything at once, without a last heartbeat or waiting for anything: the
   * process died or the node lost power (the simulator's crash). Commands still running
   * are killed; answers still on their way are ignored.
   */
  halt(): void {
    this.stopped = true;
    this.watchdog?.halt();
    this.fence.disarm();
    this.rebooting?.();
    this.orders.halt();
    void this.loop.stop(0);
  }

  /** The simulate control port, once started (null without --simulate). */
  get controlPort(): number | null {
    return this.controlPortValue;
  }

  /** Starts the control port (simulate), the fencing watch and the heartbeats. */
  async start(): Promise<void> {
    if (this.fake) {
      const fake = this.fake;
      this.control = await startControlServer(
        this.options.controlPort ?? this.options.config.simulate?.controlPort ?? 0,
        {
          fake,
          reboot: (seconds) => void this.simulateReboot(seconds),
          changed: (c) =>
            this.log.info(
              'simulate-changed',
              `Simulated ${c.target}: ${c.from} → ${c.to} (operator request).`,
              c,
            ),
        },
      );
      this.controlPortValue = listeningPort(this.control);
    }
    this.announceStart();
    this.fence.arm();
    this.loop.start();
    this.watchdog?.start();
  }

  private announceStart(): void {
    const port = this.controlPortValue;
    this.log.info(
      'agent-started',
      `prg-agent started for node ${this.nodeId} (bootId ${this.bootId}), heartbeats to ${this.base}` +
        (port === null
          ? ''
          : `; simulated services, control port 127.0.0.1:${port} (prg-agent simulate set <service> stopped --control-port ${port})`),
      {
        bootId: this.bootId,
        boot: this.boot,
        apiUrl: this.base,
        simulate: this.fake !== null,
        services: this.services.names,
        keepAliveTimeoutSeconds: this.fence.timeoutSeconds,
        stopMarginSeconds: this.fence.stopMarginSeconds,
        ...(port === null ? {} : { controlPort: port }),
      },
    );
  }

  /**
   * Stops the agent. With a `notice`, a last heartbeat announces it (`shutdown` on
   * SIGTERM/SIGINT: the peer then takes over as Peer Reboot rather than Peer Down),
   * bounded by `timeoutMs` so that a dead control plane cannot hold the exit up.
   */
  async shutdown(request: { notice?: 'shutdown'; timeoutMs?: number; reason?: string } = {}): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const timeoutMs = request.timeoutMs ?? 3_000;
    const deadline = this.clock.now() + timeoutMs;
    this.watchdog?.stop();
    this.fence.disarm();
    this.rebooting?.();
    await this.loop.stop(timeoutMs / 2);
    if (request.notice) await this.announceShutdown(Math.max(500, deadline - this.clock.now()));
    const control = this.control;
    if (control) {
      // Idle keep-alive connections would hold close() open.
      control.closeAllConnections();
      await new Promise<void>((r) => control.close(() => r()));
    }
    this.log.info('agent-stopped', `prg-agent stopped${request.reason ? ` (${request.reason})` : ''}.`, {
      bootId: this.bootId,
    });
  }

  /** Waits until every queued start/stop command has finished (tests, the demo). */
  settled(): Promise<void> {
    return this.orders.idle();
  }

  /** Sends a heartbeat carrying `notice`; resolves with what went wrong, or null. */
  private async sendNotice(notice: 'shutdown' | 'reboot', timeoutMs: number): Promise<string | null> {
    const outcome = await Promise.race([
      this.send(notice, timeoutMs).then((r) => r.outcome),
      sleep(this.clock, timeoutMs).then((): HeartbeatOutcome => ({
        kind: 'unreachable',
        detail: `no answer within ${timeoutMs} ms`,
      })),
    ]);
    if (outcome.kind === 'answered') return null;
    return outcome.kind === 'refused' ? `${outcome.status} ${outcome.detail}` : outcome.detail;
  }

  private async announceShutdown(timeoutMs: number): Promise<void> {
    const problem = await this.sendNotice('shutdown', timeoutMs);
    if (problem === null)
      this.log.info(
        'shutdown-notice-sent',
        'Told the control plane this node is shutting down: unless it is back within keepAliveTimeout, its peer takes its users over (Peer Reboot).',
        { notice: 'shutdown' },
      );
    else
      this.log.warn(
        'shutdown-notice-failed',
        `Could not tell the control plane about the shutdown (${problem}); it will see a lost heartbeat (Peer Down) instead.`,
        { notice: 'shutdown' },
      );
  }

  /** One heartbeat: observe, send, then act on the answer. Never throws. */
  private async beat(): Promise<{ acknowledged: boolean; sentAt: number }> {
    const bootId = this.bootId;
    const { outcome, sentAt } = await this.send(undefined, this.requestTimeoutMs());
    // A simulated reboot began while this one was on its way: its answer is for a boot that is over.
    if (bootId !== this.bootId || this.stopped) return { acknowledged: false, sentAt };
    if (outcome.kind === 'answered') {
      this.onAnswer(outcome.answer, sentAt);
      return { acknowledged: true, sentAt };
    }
    this.onNoAnswer(outcome);
    return { acknowledged: false, sentAt };
  }

  private async send(
    notice: 'shutdown' | 'reboot' | undefined,
    timeoutMs: number,
  ): Promise<{ outcome: HeartbeatOutcome; sentAt: number }> {
    let observation: Observation;
    try {
      observation = await this.services.observe();
    } catch (e) {
      // Checks never throw by design; if one does, report everything down rather than nothing.
      observation = {
        services: Object.fromEntries(this.services.names.map((n) => [n, 'stopped' as const])),
        database: 'down',
      };
      this.log.error(
        'services-changed',
        `The checks failed to run: ${String(e)}. Reporting every service down.`,
      );
    }
    this.noteObservation(observation);
    this.sequence += 1;
    const body: HeartbeatBody = {
      bootId: this.bootId,
      boot: this.boot,
      sequence: this.sequence,
      services: observation.services,
      database: observation.database,
      ...(notice ? { notice } : {}),
      heard: this.heard(),
    };
    const sentAt = this.clock.now();
    const outcome = await this.sendHeartbeat(body, timeoutMs);
    return { outcome, sentAt };
  }

  /**
   * What this agent last heard, sent back with every heartbeat (docs/heartbeat-protocol.md,
   * "The acknowledgement"): the control plane moves users away from this node only once
   * it knows the node heard the decision or has fenced. Null before the first answer
   * since the agent started (it fences then).
   */
  private heard(): HeartbeatBody['heard'] {
    const last = this.lastAnswer;
    if (last === null) return null;
    return { group: last.group, incarnation: last.incarnation ?? null, epoch: last.epoch };
  }

  /** Long enough for a slow answer, short enough to retry well within keepAliveTimeout. */
  private requestTimeoutMs(): number {
    return Math.min(10_000, Math.max(2_000, this.loop.intervalMs));
  }

  private onAnswer(answer: HeartbeatAnswer, sentAt: number): void {
    const now = this.clock.now();
    if (this.lostSince !== null)
      this.log.info(
        'connection-restored',
        `The control plane acknowledges heartbeats again after ${Math.round((now - this.lostSince) / 1000)} s.`,
        { silentSeconds: Math.round((now - this.lostSince) / 1000) },
      );
    else if (!this.everAnswered)
      this.log.info('connection-established', `The control plane at ${this.base} acknowledges heartbeats.`, {
        nextHeartbeatSeconds: answer.nextHeartbeatSeconds,
      });
    this.lostSince = null;
    this.lostLogged = false;
    this.lastRefusal = null;
    this.everAnswered = true;
    this.loop.intervalMs = answer.nextHeartbeatSeconds * 1000;

    const previous = this.lastAnswer;
    this.lastAnswer = answer;
    const fencedMs = this.fence.acknowledged(
      sentAt,
      answer.keepAliveTimeoutSeconds === undefined ? undefined : answer.keepAliveTimeoutSeconds * 1000,
      answer.fenceAfterSeconds === undefined ? undefined : Math.round(answer.fenceAfterSeconds * 1000),
    );
    const changed =
      previous === null ||
      (['group', 'state', 'reason', 'serviceOrder', 'epoch'] as const).some((k) => previous[k] !== answer[k]);
    if (changed) {
      this.log.info(
        'state-changed',
        `${answer.group === null ? 'This node is' : `Group ${answer.group}: this node is`} ${label(answer.state, answer.reason)}; order ${answer.serviceOrder}, epoch ${answer.epoch}.`,
        {
          group: answer.group,
          state: answer.state,
          reason: answer.reason,
          serviceOrder: answer.serviceOrder,
          epoch: answer.epoch,
          previous:
            previous === null
              ? null
              : {
                  group: previous.group,
                  state: previous.state,
                  reason: previous.reason,
                  serviceOrder: previous.serviceOrder,
                  epoch: previous.epoch,
                },
        },
      );
    }
    if (fencedMs !== null)
      this.log.info(
        'fencing-ended',
        `The control plane answers again after ${Math.round(fencedMs / 1000)} s of self-fencing; following its order (${answer.serviceOrder}).`,
        {
          fencedSeconds: Math.round(fencedMs / 1000),
          serviceOrder: answer.serviceOrder,
          state: answer.state,
        },
      );
    this.orders.obey(answer, fencedMs !== null);
  }

  /** A heartbeat not acknowledged: one line per outage, and one per distinct refusal. */
  private onNoAnswer(outcome: Exclude<HeartbeatOutcome, { kind: 'answered' }>): void {
    this.lostSince ??= this.clock.now();
    const fencing = this.fenceApplies()
      ? ` Unless it acknowledges a heartbeat within keepAliveTimeout (${this.fence.timeoutSeconds} s) of the last one, this node stops its critical services.`
      : ' This node is in no high-availability group, so it keeps its critical services running meanwhile.';
    if (outcome.kind === 'unreachable') {
      if (this.lostLogged) return;
      this.lostLogged = true;
      this.log.warn(
        'connection-lost',
        `No answer from the control plane at ${this.base} (${outcome.detail}); retrying with backoff.${fencing}`,
        { detail: outcome.detail },
      );
      return;
    }
    const problem = `${outcome.status} ${outcome.detail}`;
    if (problem === this.lastRefusal) return;
    this.lastRefusal = problem;
    const hint =
      outcome.status === 401 || outcome.status === 403
        ? ' Check nodeId and token in the config (prg node rotate-token issues a new one).'
        : outcome.code === 'STALE_BOOT'
          ? ` This agent sends boot ${this.boot}: its boot counter is behind the control plane's (see "stateFile" in docs/agent.md).`
          : outcome.status >= 500 || outcome.status === 429
            ? ' Retrying with backoff.'
            : ' This is a bug in the agent or the control plane; retrying.';
    this.log.error(
      'heartbeat-refused',
      `The control plane refused the heartbeat: ${problem.replace(/\.$/, '')}.${hint}${fencing}`,
      { status: outcome.status, detail: outcome.detail },
    );
  }

  /**
   * A node the control plane last said is in no HA group has no peer that could take its
   * users: stopping its services would only add an outage to the control plane's.
   * Before the first answer nobody knows, so it fences.
   */
  private fenceApplies(): boolean {
    return this.lastAnswer === null || this.lastAnswer.group !== null;
  }

  /** The fence's timeout passed: stop serving, and say why. Returns whether it fenced. */
  private selfFence(silentMs: number): boolean {
    // The connection-lost line already said this node does not fence.
    if (!this.fenceApplies()) return false;
    const seconds = Math.round(silentMs / 1000);
    this.orders.fence();
    this.log.warn(
      'fencing-started',
      `No answer from the control plane for ${seconds} s: stopping critical services so that two nodes never serve the same users (its peer may take them over after keepAliveTimeout, ${this.fence.timeoutSeconds} s; the stop is given ${this.fence.stopMarginSeconds} s before that).`,
      {
        silentSeconds: seconds,
        keepAliveTimeoutSeconds: this.fence.timeoutSeconds,
        stopMarginSeconds: this.fence.stopMarginSeconds,
      },
    );
    return true;
  }

  private noteObservation(observation: Observation): void {
    const before = this.lastObservation;
    this.lastObservation = observation;
    if (before === null) {
      const down = Object.entries(observation.services).filter(([, status]) => status !== 'running');
      // Every service down at start (a node just booted, or the systemd fence unit stopped
      // them when the previous agent died): they start again only once the control plane
      // answers, exactly as after a fence of this agent's own.
      if (down.length === this.services.names.length && down.length > 0) this.orders.assumeFenced();
      this.log.info(
        'services-changed',
        `First check: ${down.length === 0 ? `all ${this.services.names.length} critical services running` : `${down.map(([name]) => name).join(', ')} not running`}, database ${observation.database}.`,
        { services: observation.services, database: observation.database },
      );
      return;
    }
    const changes = Object.entries(observation.services)
      .filter(([name, status]) => before.services[name] !== status)
      .map(([name, status]) => `${name} ${before.services[name] ?? 'unknown'} → ${status}`);
    if (before.database !== observation.database)
      changes.push(`database ${before.database} → ${observation.database}`);
    if (changes.length === 0) return;
    const healthy =
      Object.values(observation.services).every((status) => status === 'running') &&
      observation.database === 'up';
    this.log[healthy ? 'info' : 'warn']('services-changed', `${changes.join('; ')}.`, {
      services: observation.services,
      database: observation.database,
    });
  }

  /**
   * `prg-agent simulate reboot`: announces a reboot in a heartbeat, goes silent with its
   * fake services stopped for `seconds`, then comes back as a rebooted node would: a new
   * bootId, services started, no memory of earlier epochs.
   */
  async simulateReboot(seconds: number): Promise<void> {
    if (!this.fake || this.stopped || this.rebooting) return;
    const fake = this.fake;
    await this.loop.stop(2_000);
    const problem = await this.sendNotice('reboot', 3_000);
    this.log.info(
      'reboot-simulated',
      `Simulating a reboot: ${problem === null ? 'announced it to the control plane' : `could not announce it (${problem})`}; silent with every service stopped for ${seconds} s.`,
      { seconds, announced: problem === null },
    );
    this.fence.disarm();
    fake.powerOff();
    this.rebooting = this.clock.setTimer(() => {
      this.rebooting = null;
      if (this.stopped) return;
      try {
        this.boot = this.bootCounter.raise();
      } catch (e) {
        // Without a stored new boot its heartbeats could not be ordered: stay down.
        this.log.error('agent-stopped', `Cannot come back from the simulated reboot: ${String(e)}`, {
          bootId: this.bootId,
        });
        return;
      }
      fake.powerOn();
      this.bootId = this.makeBootId();
      this.sequence = 0;
      this.orders.reset();
      this.lastAnswer = null;
      this.lastObservation = null;
      this.lostSince = null;
      this.lostLogged = false;
      this.lastRefusal = null;
      this.everAnswered = false;
      this.announceStart();
      this.fence.reset();
      this.loop.start();
    }, seconds * 1000);
  }
}
