import type { Command } from 'commander';
import { JSON_HELP, examples, intIn } from '../args';
import { allPages } from '../client';
import { context } from '../context';
import { relativeAge } from '../output';
import { labelOfReason, paintState } from '../states';

/** `prg history <group>`: the group's state changes, newest first. */
export function registerHistory(program: Command): void {
  program
    .command('history')
    .description("a group's state changes, newest first: when, node, from → to, reason, cause")
    .argument('<group>')
    .option('--limit <n>', 'how many changes, newest first (pages are followed)', intIn(1, 1_000_000), 20)
    .option('--json', `${JSON_HELP}: {"history": [...]}, every page in one list`)
    .addHelpText('after', examples('prg history prg-1', 'prg history prg-1 --limit 100 --json'))
    .action(async (group: string, opts: { limit: number }, cmd: Command) => {
      const ctx = context(cmd);
      const api = ctx.api();
      const history = await allPages(async (cursor, limit) => {
        const page = await api.call('GET /v1/groups/{name}/history', {
          path: { name: group },
          query: { limit, ...(cursor ? { cursor } : {}) },
        });
        return { items: page.history, next: page.next };
      }, opts.limit);
      const res = { history };
      if (ctx.out.json) return ctx.out.printJson(res);
      if (res.history.length === 0) return ctx.out.line(`No state changes recorded for group ${group} yet.`);
      const c = ctx.out.c;
      const now = Date.now();
      ctx.out.line(
        ctx.out.table(
          ['WHEN', 'AGE', 'NODE', 'CHANGE', 'REASON', 'CAUSE'],
          res.history.map((h) => [
            h.at,
            c.dim(relativeAge(h.at, now)),
            h.nodeId,
            `${paintState(c, h.from, h.from === null ? 'not managed' : undefined)} → ${paintState(c, h.to, h.to === null ? 'not managed' : undefined)}`,
            labelOfReason(h.reason),
            h.cause,
          ]),
        ),
      );
    });
}
