import type { Command } from 'commander';
import { JSON_HELP, examples, intIn } from '../args';
import { context, type Context } from '../context';
import { allPages } from '../client';
import { usageError } from '../errors';
import { renderGroup } from '../groupView';

/** Every group of the fleet, page after page (a first page alone would hide groups past 100). */
async function everyGroup(ctx: Context) {
  const api = ctx.api();
  const groups = await allPages(async (cursor, limit) => {
    const page = await api.call('GET /v1/groups', { query: { limit, ...(cursor ? { cursor } : {}) } });
    return { items: page.groups, next: page.next };
  });
  return groups.sort((a, b) => a.name.localeCompare(b.name));
}

/** Every group (or one) rendered for a person. */
async function statusText(ctx: Context, group: string | undefined): Promise<string> {
  const api = ctx.api();
  const groups = group
    ? [await api.call('GET /v1/groups/{name}', { path: { name: group } })]
    : await everyGroup(ctx);
  if (groups.length === 0)
    return 'No groups yet. Create one with: prg group create <name> <node1> <node2> --ha';
  const now = Date.now();
  return groups.map((g) => renderGroup(ctx.out, g, now)).join('\n\n');
}

/** `prg status [group]`: the manual's `utils ha status`. */
export function registerStatus(program: Command): void {
  program
    .command('status')
    .description(
      'show every group (or one): nodes, states, reasons, last heartbeat, and the recommended actions when not Normal',
    )
    .argument('[group]', 'only this group')
    .option('--json', `${JSON_HELP}: {"groups": [...]}, or the one group`)
    .option('--watch [seconds]', 'redraw every N seconds (default 2) until Ctrl-C', intIn(1, 3600))
    .addHelpText(
      'after',
      examples(
        'prg status                 # every group',
        'prg status prg-1           # one group',
        'prg status --watch         # refresh every 2 s, e.g. beside prg events',
        "prg status --json | jq '.groups[].nodes[] | {nodeId, state, reason}'",
      ),
    )
    .action(
      async (group: string | undefined, opts: { json?: boolean; watch?: number | true }, cmd: Command) => {
        const ctx = context(cmd);
        if (opts.json && opts.watch) throw usageError('--watch and --json do not go together');
        if (opts.json) {
          const api = ctx.api();
          ctx.out.printJson(
            group
              ? await api.call('GET /v1/groups/{name}', { path: { name: group } })
              : { groups: await everyGroup(ctx) },
          );
          return;
        }
        if (!opts.watch) {
          ctx.out.line(await statusText(ctx, group));
          return;
        }
        const every = opts.watch === true ? 2 : opts.watch;
        for (;;) {
          const text = await statusText(ctx, group);
          // On a terminal redraw in place; in a log, a timestamped block per refresh.
          if (process.stdout.isTTY) ctx.out.redraw(text);
          else ctx.out.line(`--- ${new Date().toISOString()}\n${text}`);
          await new Promise((r) => setTimeout(r, every * 1000));
        }
      },
    );
}
