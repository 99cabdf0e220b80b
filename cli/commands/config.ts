import type { Command } from 'commander';
import { examples } from '../args';
import { configPath, describeSource, normaliseUrl, writeConfigFile } from '../config';
import { context, type GlobalOptions } from '../context';
import { usageError } from '../errors';

/** Shows enough of a token to tell two apart, not enough to use it. */
function mask(token: string): string {
  return token.length < 24 ? '****' : `${token.slice(0, 10)}…${token.slice(-2)}`;
}

/** `prg config show|set`: which control plane prg talks to, and saving it. */
export function registerConfig(program: Command): void {
  const config = program
    .command('config')
    .description('where prg connects: show the settings in effect, or save them to the config file')
    .addHelpText(
      'after',
      examples('prg config set --url http://127.0.0.1:3000 --token prg_admin_...', 'prg config show'),
    );

  config
    .command('show')
    .description('show the URL and token in effect and where each comes from (the token masked)')
    .option('--json', 'print the settings as JSON (the token masked)')
    .addHelpText('after', examples('prg config show', 'PRG_URL=https://api.example.com prg config show'))
    .action((_opts: unknown, cmd: Command) => {
      const ctx = context(cmd);
      const conn = ctx.connection();
      const view = {
        url: conn.url,
        urlSource: conn.urlSource,
        token: conn.token ? mask(conn.token) : null,
        tokenSource: conn.tokenSource,
        configPath: conn.configPath,
      };
      if (ctx.out.json) return ctx.out.printJson(view);
      ctx.out.line(
        ctx.out.pairs([
          ['url', `${conn.url}  (from ${describeSource(conn.urlSource, conn.configPath)})`],
          [
            'token',
            conn.token && conn.tokenSource
              ? `${view.token}  (from ${describeSource(conn.tokenSource, conn.configPath)})`
              : 'none: pass --token, set PRG_TOKEN, or prg config set --token <token>',
          ],
          ['config file', conn.configPath],
        ]),
      );
    });

  config
    .command('set')
    .description('save --url and/or --token to the config file (created with owner-only permissions)')
    .addHelpText(
      'after',
      `${examples('prg config set --url http://127.0.0.1:3000 --token prg_admin_...')}

The file is ${configPath()} (PRG_CONFIG, else $XDG_CONFIG_HOME/presence-ha/config.json,
else ~/.config/presence-ha/config.json). --url and --token given on a command line, or
PRG_URL and PRG_TOKEN, still win over it.`,
    )
    .action((_opts: unknown, cmd: Command) => {
      const options = cmd.optsWithGlobals<GlobalOptions>();
      if (!options.url && !options.token) throw usageError('give --url <url> and/or --token <token> to save');
      const path = configPath();
      writeConfigFile(path, {
        ...(options.url ? { url: normaliseUrl(options.url, '--url') } : {}),
        ...(options.token ? { token: options.token } : {}),
      });
      context(cmd).out.line(
        `Saved ${[options.url && 'url', options.token && 'token'].filter(Boolean).join(' and ')} to ${path}.`,
      );
    });
}
