import { InvalidArgumentError, type Command } from 'commander';
import { examples } from '../args';
import { context } from '../context';
import { renderGroup } from '../groupView';

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * `--until`: an ISO 8601 time, or a duration from now such as `90m`, `2h`, `1d` or
 * `1h30m`. Returns the ISO time to send; the server checks it is at most 7 days ahead.
 */
export function untilFrom(value: string, now = Date.now()): string {
  const text = value.trim();
  const parts = [...text.matchAll(/(\d+)\s*([smhd])/gi)];
  if (parts.length > 0 && parts.map((p) => p[0]).join('') === text.replace(/\s+/g, '')) {
    const ms = parts.reduce((sum, p) => sum + Number(p[1]) * (UNITS[(p[2] ?? '').toLowerCase()] ?? 0), 0);
    if (ms > 0) return new Date(now + ms).toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(text) && Number.isFinite(Date.parse(text))) return text;
  throw new InvalidArgumentError(
    'must be an ISO 8601 time (2026-11-27T18:00:00Z) or a duration from now such as 30m, 2h, 1d or 1h30m.',
  );
}

/** `prg pause <group>` and `prg resume <group>`: maintenance windows. */
export function registerMaintenance(program: Command): void {
  program
    .command('pause')
    .description(
      'start a maintenance window: until it ends no automatic failover or fallback starts on the group ' +
        '(states are still shown, manual actions still work, agents still fence)',
    )
    .argument('<group>', 'the group to pause')
    .requiredOption('--reason <text>', 'why, for the history and the events (1–200 characters)')
    .requiredOption('--until <time>', 'ISO 8601 time, or a duration from now (30m, 2h, 1d), at most 7 days')
    .option('--json', 'print the group as JSON')
    .addHelpText(
      'after',
      examples(
        'prg pause prg-1 --reason "patching imp-a" --until 2h',
        'prg pause prg-1 --reason "OS upgrade" --until 2026-11-28T06:00:00Z',
        '# pausing again replaces the window; drain a node first (prg failover <node>) if its users must stay served',
      ),
    )
    .action(async (name: string, opts: { reason: string; until: string }, cmd: Command) => {
      const ctx = context(cmd);
      const until = untilFrom(opts.until);
      const view = await ctx.api().call('PUT /v1/groups/{name}/maintenance', {
        path: { name },
        body: { reason: opts.reason, until },
      });
      if (ctx.out.json) return ctx.out.printJson(view);
      ctx.out.line(`Group ${name} is in maintenance until ${view.maintenance?.until ?? until}.`);
      ctx.out.line(`End it early with: prg resume ${name}`);
      ctx.out.line('');
      ctx.out.line(renderGroup(ctx.out, view));
    });

  program
    .command('resume')
    .description('end the maintenance window now: the group is judged at once and automatic actions resume')
    .argument('<group>', 'the group to resume')
    .addHelpText('after', examples('prg resume prg-1'))
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const ctx = context(cmd);
      await ctx.api().call('DELETE /v1/groups/{name}/maintenance', { path: { name } });
      ctx.out.line(`Group ${name} is out of maintenance; automatic failover and fallback apply again.`);
    });
}
