import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { Agent } from './agent';
import { FileBootCounter, stateFileFor } from './bootCounter';
import { runCheck } from './checks';
import { checkTimeoutSeconds, loadConfig, type AgentConfig, type Check } from './config';
import { realServices } from './services';
import { ControlError, controlRequest, type FakeState } from './simulate';

/**
 * Exit codes, as docs/agent.md lists them: 0 stopped by a signal or command done, 1 the
 * agent could not run (or a check or control request failed), 2 usage or configuration.
 */
const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const port = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('must be a TCP port, 0–65535.');
  return n;
};

const seconds = (value: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 3600) throw new InvalidArgumentError('must be 0–3600 seconds.');
  return n;
};

/** Loads the config or exits 2 with one line per field error. */
function configOrExit(file: string, simulate: boolean): AgentConfig {
  const loaded = loadConfig(file, { simulate });
  if (loaded.ok) return loaded.config;
  process.stderr.write(
    `prg-agent: ${file} is not a valid agent configuration:\n${loaded.errors.map((e) => `  ${e}\n`).join('')}`,
  );
  process.exit(EXIT.usage);
}

/**
 * Raises the boot counter in the config's state file before anything is sent, or exits 1
 * saying what to do: without a stored new boot its heartbeats could not be ordered.
 */
function bootCounterOrExit(configFile: string, config: AgentConfig): FileBootCounter {
  try {
    return new FileBootCounter(stateFileFor(configFile, config.stateFile));
  } catch (e) {
    process.stderr.write(`prg-agent: cannot start: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(EXIT.failed);
  }
}

async function run(options: { config: string; simulate?: boolean; controlPort?: number }): Promise<void> {
  const config = configOrExit(options.config, options.simulate === true);
  const agent = new Agent({
    config,
    bootCounter: bootCounterOrExit(options.config, config),
    simulate: options.simulate === true,
    ...(options.controlPort === undefined ? {} : { controlPort: options.controlPort }),
  });
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second Ctrl-C: the operator does not want to wait for the notice.
      process.exit(EXIT.failed);
    }
    stopping = true;
    agent.shutdown({ notice: 'shutdown', timeoutMs: 3_000, reason: signal }).then(
      () => process.exit(EXIT.ok),
      (e: unknown) => {
        process.stderr.write(`prg-agent: stopping failed: ${String(e)}\n`);
        process.exit(EXIT.failed);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  try {
    await agent.start();
  } catch (e) {
    process.stderr.write(`prg-agent: cannot start: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(EXIT.failed);
  }
}

/** The control port of a simulated agent, from --control-port or its config file. */
function controlPortOf(options: { controlPort?: number; config?: string }): number {
  if (options.controlPort !== undefined) return options.controlPort;
  if (options.config) {
    const fixed = configOrExit(options.config, true).simulate?.controlPort;
    if (fixed) return fixed;
    throw new ControlError(
      `${options.config} sets no simulate.controlPort; pass --control-port (the agent logs its port in its agent-started line).`,
      2,
    );
  }
  throw new ControlError('Say which agent: --control-port <port> or --config <file>.', 2);
}

async function simulateSet(
  target: string,
  status: string,
  options: { controlPort?: number; config?: string },
) {
  const answer = await controlRequest<{
    change: { target: string; from: string; to: string };
    state: FakeState;
  }>(controlPortOf(options), 'POST', '/set', { target, status });
  const { change, state } = answer;
  const effect =
    change.to === 'stopped' || change.to === 'down' || change.to === 'broken'
      ? ' If it stays so for criticalServiceDelay, the control plane fails the node over.'
      : '';
  process.stdout.write(
    `${state.nodeId}: ${change.target} ${change.from} → ${change.to}; reported in its next heartbeat.${effect}\n`,
  );
}

async function simulateShow(options: { controlPort?: number; config?: string; json?: boolean }) {
  const state = await controlRequest<FakeState>(controlPortOf(options), 'GET', '/state');
  if (options.json) return void process.stdout.write(`${JSON.stringify(state, null, 2)}\n`);
  const width = Math.max(8, ...Object.keys(state.services).map((n) => n.length));
  const lines = [
    `${state.nodeId} (simulated)`,
    ...Object.entries(state.services).map(([n, s]) => `  ${n.padEnd(width)}  ${s}`),
    `  ${'database'.padEnd(width)}  ${state.database}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function simulateReboot(options: { controlPort?: number; config?: string; seconds: number }) {
  await controlRequest(controlPortOf(options), 'POST', '/reboot', { seconds: options.seconds });
  process.stdout.write(
    `Rebooting (simulated): a heartbeat announces it, then ${options.seconds} s of silence; the peer takes over (Peer Reboot) after keepAliveTimeout.\n`,
  );
}

async function check(options: { config: string }) {
  const config = configOrExit(options.config, false);
  const checks: [string, Check][] = [
    ...Object.entries(config.services ?? {}),
    ...(config.database ? [['database', config.database] as [string, Check]] : []),
  ];
  // All at once, as a heartbeat runs them; printed in the config's order.
  const results = await Promise.all(checks.map(([, c]) => runCheck(c, checkTimeoutSeconds(c, config))));
  const width = Math.max(...checks.map(([n]) => n.length));
  checks.forEach(([name, c], i) => {
    const up = results[i] === true;
    const word = name === 'database' ? (up ? 'up' : 'down') : up ? 'running' : 'stopped';
    const what = c.command ?? (c.systemdUnit ? `systemd unit ${c.systemdUnit}` : `GET ${c.http ?? ''}`);
    process.stdout.write(`${name.padEnd(width)}  ${word.padEnd(7)}  ${what}\n`);
  });
  const allUp = results.every((r) => r);
  process.stdout.write(`${options.config} is valid; ${allUp ? 'every check passes' : 'some checks fail'}.\n`);
  process.exitCode = allUp ? EXIT.ok : EXIT.failed;
}

/**
 * `prg-agent fence`: what systemd's OnFailure= unit runs when the agent died or hung
 * (agent/systemd/prg-agent-fence.service): the node's stop command, so that a node whose
 * agent is gone stops serving as a partitioned one does. The next agent finds every
 * service down and starts them again once the control plane answers (docs/agent.md).
 */
async function fence(options: { config: string }) {
  const config = configOrExit(options.config, false);
  const result = await realServices(config).stop();
  const line = {
    time: new Date().toISOString(),
    level: result.ok ? 'warn' : 'error',
    nodeId: config.nodeId,
    event: 'fencing-started',
    message: result.ok
      ? 'prg-agent failed or hung: stopped the critical services (systemd OnFailure fence) so that two nodes never serve the same users; the agent starts them again once the control plane answers.'
      : `prg-agent failed or hung and the stop command failed (${result.detail || `exit status ${result.exitCode}`}): this node may still serve users its peer now serves; stop the critical services by hand.`,
    cause: 'agent-failure',
    command: result.command,
    exitCode: result.exitCode,
    durationMs: result.durationMs,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
  process.exitCode = result.ok ? EXIT.ok : EXIT.failed;
}

function program(): Command {
  const controlOptions = (c: Command) =>
    c
      .addOption(new Option('--control-port <port>', "the simulated agent's control port").argParser(port))
      .option('--config <file>', "the simulated agent's config file (its simulate.controlPort)");

  const root = new Command('prg-agent')
    // Before the subcommands exist, so that they inherit it: commander's errors exit 2.
    .exitOverride()
    .description('The presence-ha node agent: heartbeats, service orders, self-fencing (docs/agent.md).')
    .enablePositionalOptions()
    .option('-c, --config <file>', 'the agent config file (JSON)')
    .option('--simulate', 'fake critical services flipped with `prg-agent simulate`, for demos and tests')
    .addOption(
      new Option(
        '--control-port <port>',
        'simulate: the local control port (default simulate.controlPort, else any)',
      ).argParser(port),
    )
    .addHelpText(
      'after',
      `
Examples:
  prg-agent --config /etc/presence-ha/agent.json
  prg-agent --config demo-node.json --simulate --control-port 7101
  prg-agent simulate set "Cisco SIP Proxy" stopped --control-port 7101
  prg-agent check --config /etc/presence-ha/agent.json

Exit codes: 0 stopped by SIGTERM/SIGINT (after a shutdown notice), 1 could not run, 2 bad usage or config.`,
    )
    .action(async (options: { config?: string; simulate?: boolean; controlPort?: number }) => {
      if (!options.config) {
        process.stderr.write('prg-agent: --config <file> is required (see prg-agent --help).\n');
        process.exit(EXIT.usage);
      }
      await run({ ...options, config: options.config });
    });

  root
    .command('check')
    .description('validate the config and run every check once, without sending anything')
    .requiredOption('-c, --config <file>', 'the agent config file (JSON)')
    .addHelpText('after', '\nExample:\n  prg-agent check --config /etc/presence-ha/agent.json')
    .action(check);

  root
    .command('fence')
    .description("run the node's stop command now (systemd's OnFailure= unit, when the agent died or hung)")
    .requiredOption('-c, --config <file>', 'the agent config file (JSON)')
    .addHelpText('after', '\nExample:\n  prg-agent fence --config /etc/presence-ha/agent.json')
    .action(fence);

  const simulate = root
    .command('simulate')
    .description("flip a simulated agent's fake services (the agent runs with --simulate)");
  controlOptions(
    simulate
      .command('set')
      .description('set a fake service (running|stopped|broken) or the database (up|down)')
      .argument('<service>', 'a critical service ("Cisco SIP Proxy", "sip-proxy", "presence"…) or "database"')
      .argument('<status>', 'running | stopped | broken (a start order then fails) | up | down')
      .addHelpText(
        'after',
        '\nExamples:\n  prg-agent simulate set sip-proxy stopped --control-port 7101\n  prg-agent simulate set database down --control-port 7101\n  prg-agent simulate set "Cisco XCP Router" broken --config node.json',
      ),
  ).action(simulateSet);
  controlOptions(
    simulate
      .command('show')
      .description("print the fake services' states")
      .option('--json', 'as JSON')
      .addHelpText('after', '\nExample:\n  prg-agent simulate show --control-port 7101'),
  ).action(simulateShow);
  controlOptions(
    simulate
      .command('reboot')
      .description('announce a reboot, go silent with every service stopped, come back with a new bootId')
      .addOption(new Option('--seconds <n>', 'how long the node stays down').argParser(seconds).default(20))
      .addHelpText('after', '\nExample:\n  prg-agent simulate reboot --seconds 20 --control-port 7102'),
  ).action(simulateReboot);
  return root;
}

async function main(): Promise<void> {
  // A log reader that went away (a closed pipe) must not take the agent down with it:
  // a dead agent is a silent node, and its users would be failed over.
  process.stdout.on('error', () => undefined);
  const cli = program();
  try {
    await cli.parseAsync(process.argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander has printed the problem (or the help asked for) already.
      process.exit(e.exitCode === 0 ? EXIT.ok : EXIT.usage);
    }
    if (e instanceof ControlError) {
      process.stderr.write(`prg-agent: ${e.message}\n`);
      process.exit(e.exitCode);
    }
    process.stderr.write(`prg-agent: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(EXIT.failed);
  }
}

await main();
