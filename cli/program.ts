import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { examples } from './args';
import { registerActions } from './commands/actions';
import { registerConfig } from './commands/config';
import { registerEvents } from './commands/events';
import { registerGroup } from './commands/group';
import { registerHistory } from './commands/history';
import { registerLogin } from './commands/login';
import { registerMaintenance } from './commands/maintenance';
import { registerMode } from './commands/mode';
import { registerNode } from './commands/node';
import { registerParams } from './commands/params';
import { registerStatus } from './commands/status';
import { registerUser } from './commands/user';
import { EXIT_CODES_HELP } from './errors';
import { colourWanted } from './output';
import pc from 'picocolors';

function version(): string {
  // Set by the single-file bundle (scripts/buildTools.ts), which has no package.json beside it.
  if (process.env.PRG_BUILD_VERSION) return process.env.PRG_BUILD_VERSION;
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version?: string;
  };
  return pkg.version ?? 'unknown';
}

const CONNECTION_HELP = `Connection (each setting on its own, first found wins):
  1. --url <url> and --token <token>
  2. the environment: PRG_URL, PRG_TOKEN
  3. the config file: PRG_CONFIG, else $XDG_CONFIG_HOME/presence-ha/config.json,
     else ~/.config/presence-ha/config.json, holding {"url": "...", "token": "..."}
     (write it with: prg config set --url <url> --token <token>)
  The URL is the server root (prg adds /v1/...); without one, http://127.0.0.1:3000.
  \`npm start\` prints an admin token (every command) and a read token (status, list,
  show, get, history, events).`;

/**
 * The `prg` command tree. Usage errors and help go through commander's exit override so
 * that main decides the exit code; the override and output settings are set before any
 * subcommand is added, because subcommands copy them when they are created.
 */
export function buildProgram(): Command {
  const program = new Command('prg')
    .description(
      'Operate presence-ha, the high-availability control plane for pairs of presence nodes: ' +
        'status, failover, fallback and recovery (the manual\'s "utils ha"), groups, nodes, ' +
        'parameters, users, history and the live event stream.',
    )
    .version(version(), '-V, --version')
    .option('--url <url>', 'control plane URL, the server root (or PRG_URL)')
    .option('--token <token>', 'API bearer token (or PRG_TOKEN; prefer it: flags show up in ps)')
    .option('--no-color', 'no colour, even on a terminal (NO_COLOR=1 does the same)')
    .exitOverride()
    .showHelpAfterError('(add --help for usage and examples)')
    .showSuggestionAfterError()
    .configureOutput({
      outputError: (text, write) =>
        write(
          colourWanted(process.stderr, !process.argv.includes('--no-color'))
            ? text.replace(/^error:/, pc.red('error:'))
            : text,
        ),
    })
    .addHelpText(
      'after',
      `${examples(
        'prg status',
        'prg failover imp-a --wait',
        'prg fallback imp-a --wait',
        'prg recover prg-1 --wait',
        'prg events --group prg-1',
        'prg <command> --help       # every command has examples',
      )}

${CONNECTION_HELP}

${EXIT_CODES_HELP}

Colour: on a terminal only; never with NO_COLOR set or --no-color.`,
    );

  registerStatus(program);
  registerActions(program);
  registerMaintenance(program);
  registerGroup(program);
  registerNode(program);
  registerParams(program);
  registerMode(program);
  registerUser(program);
  registerHistory(program);
  registerEvents(program);
  registerConfig(program);
  registerLogin(program);
  return program;
}
