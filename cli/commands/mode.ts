import { Argument, InvalidArgumentError, type Command } from 'commander';
import type { EnterpriseParameters } from '../../lambdas/core';
import { JSON_HELP, examples } from '../args';
import { context } from '../context';

const MODES = ['BALANCED', 'ACTIVE_STANDBY', 'NONE'] as const;

const MEANING: Record<string, string> = {
  BALANCED: 'the sync agent spreads users over every node',
  ACTIVE_STANDBY: 'the sync agent puts every user on the first node of each group',
  NONE: 'users are assigned by hand (prg user home)',
};

/** `prg mode get|set`: the enterprise-wide user assignment mode. */
export function registerMode(program: Command): void {
  const mode = program
    .command('mode')
    .description('the user assignment mode: BALANCED, ACTIVE_STANDBY or NONE')
    .addHelpText('after', examples('prg mode get', 'prg mode set ACTIVE_STANDBY'));

  mode
    .command('get')
    .description('show the user assignment mode')
    .option('--json', JSON_HELP)
    .addHelpText('after', examples('prg mode get'))
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = context(cmd);
      const res = await ctx.api().call('GET /v1/enterprise-parameters');
      if (ctx.out.json) return ctx.out.printJson(res);
      ctx.out.line(`${res.userAssignmentMode}: ${MEANING[res.userAssignmentMode] ?? ''}`);
    });

  mode
    .command('set')
    .description(
      'set the user assignment mode (then `prg user rebalance <cluster>` applies it to existing users)',
    )
    .addArgument(
      new Argument('<mode>', MODES.join(' | ')).argParser((v: string) => {
        const m = v.toUpperCase().replace('-', '_');
        if (!(MODES as readonly string[]).includes(m))
          throw new InvalidArgumentError(`must be one of ${MODES.join(', ')}.`);
        return m;
      }),
    )
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      examples('prg mode set BALANCED', 'prg mode set NONE    # then: prg user home <user> <node>'),
    )
    .action(async (value: string, _opts: unknown, cmd: Command) => {
      const ctx = context(cmd);
      const res = await ctx.api().call('PUT /v1/enterprise-parameters', {
        body: { userAssignmentMode: value as EnterpriseParameters['userAssignmentMode'] },
      });
      if (ctx.out.json) return ctx.out.printJson(res);
      ctx.out.line(
        `User assignment mode set to ${res.userAssignmentMode}: ${MEANING[res.userAssignmentMode] ?? ''}.`,
      );
    });
}
