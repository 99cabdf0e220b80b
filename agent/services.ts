import { checkTimeoutSeconds, type AgentConfig, type Check } from './config';
import { runCheck } from './checks';
import { runShell } from './shell';

/** What one heartbeat reports about the node (docs/heartbeat-protocol.md). */
export interface Observation {
  services: Record<string, 'running' | 'stopped'>;
  database: 'up' | 'down';
}

/** How a start or stop of the critical services went, for the log. */
export interface ActionResult {
  ok: boolean;
  /** What ran: the configured command, or a description in simulate mode. */
  command: string;
  exitCode: number | null;
  durationMs: number;
  /** Why it failed, or what it printed; empty when there is nothing to say. */
  detail: string;
}

/**
 * The node's critical services as the agent sees and drives them: real checks and
 * commands, or the fake services of `--simulate`.
 */
export interface NodeServices {
  /** The critical services' names, in the order the heartbeat reports them. */
  readonly names: readonly string[];
  observe(): Promise<Observation>;
  /** Starts them; `signal` kills the command (self-fencing pre-empts a start). */
  start(signal?: AbortSignal): Promise<ActionResult>;
  /** Stops them; `signal` kills the command (the agent is going away). */
  stop(signal?: AbortSignal): Promise<ActionResult>;
}

type RealConfig = AgentConfig & {
  services: Record<string, Check>;
  database: Check;
  startCommand: string;
  stopCommand: string;
};

/** A real node: the config's checks, start command and stop command. */
export class RealServices implements NodeServices {
  readonly names: readonly string[];

  constructor(private readonly config: RealConfig) {
    // Object.keys and Object.values share one order: names[i] is checked by values[i].
    this.names = Object.keys(config.services);
  }

  async observe(): Promise<Observation> {
    // All checks at once: a heartbeat waits for the slowest, not for their sum.
    const checks = Object.values(this.config.services);
    const [database, ...running] = await Promise.all([
      runCheck(this.config.database, checkTimeoutSeconds(this.config.database, this.config)),
      ...checks.map((check) => runCheck(check, checkTimeoutSeconds(check, this.config))),
    ]);
    return {
      services: Object.fromEntries(this.names.map((name, i) => [name, running[i] ? 'running' : 'stopped'])),
      database: database ? 'up' : 'down',
    };
  }

  start(signal?: AbortSignal): Promise<ActionResult> {
    return this.run(this.config.startCommand, signal);
  }

  stop(signal?: AbortSignal): Promise<ActionResult> {
    return this.run(this.config.stopCommand, signal);
  }

  private async run(command: string, signal?: AbortSignal): Promise<ActionResult> {
    const outcome = await runShell(command, this.config.commandTimeoutSeconds * 1000, signal);
    const detail = outcome.aborted
      ? 'was killed before it finished (self-fencing pre-empted it, or the agent stopped)'
      : outcome.timedOut
        ? `did not finish within commandTimeoutSeconds (${this.config.commandTimeoutSeconds} s) and was killed`
        : outcome.exitCode === null
          ? outcome.output || 'could not be run'
          : outcome.exitCode !== 0
            ? `exited with status ${outcome.exitCode}${outcome.output ? `: ${outcome.output}` : ''}`
            : outcome.output;
    return {
      ok: outcome.exitCode === 0,
      command,
      exitCode: outcome.exitCode,
      durationMs: outcome.durationMs,
      detail,
    };
  }
}

/** Narrows a validated config to a real node's, or says which field is missing. */
export function realServices(config: AgentConfig): RealServices {
  const { services, database, startCommand, stopCommand } = config;
  if (!services || !database || !startCommand || !stopCommand)
    throw new Error('services, database, startCommand and stopCommand are required without --simulate');
  return new RealServices({ ...config, services, database, startCommand, stopCommand });
}
