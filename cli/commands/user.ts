import type { Command } from 'commander';
import type { UserView } from '../../lambdas/contract';
import { JSON_HELP, examples } from '../args';
import { allPages } from '../client';
import { context } from '../context';
import type { Output } from '../output';

function printUser(out: Output, view: UserView): void {
  out.line(
    out.pairs([
      ['user', out.c.bold(view.userId)],
      ['cluster', view.clusterId],
      ['home node', view.homeNode ?? out.c.dim('none (assign one: prg user home)')],
      [
        'serving node',
        view.currentNode === null
          ? '-'
          : view.currentNode === view.homeNode
            ? view.currentNode
            : out.c.yellow(`${view.currentNode} (its home node is failed over)`),
      ],
      ...(view.relogin
        ? ([
            [
              'client re-login',
              `after ${view.relogin.afterSeconds}s (limits ${view.relogin.lowerLimitSeconds}–${view.relogin.upperLimitSeconds}s)`,
            ],
          ] as [string, string][])
        : []),
    ]),
  );
}

/** `prg user ...`: add, list, show, home, delete, rebalance. */
export function registerUser(program: Command): void {
  const user = program
    .command('user')
    .description('users: the sync agent gives each a home node; during a failover its peer serves them')
    .addHelpText(
      'after',
      examples('prg user add alice@example.com --cluster c1', 'prg user show alice@example.com'),
    );

  user
    .command('add')
    .description('add a user to a cluster; the sync agent chooses its home node (refused during a failover)')
    .argument('<userId>', '1–128 letters, digits, ".", "_", "@", "+" or "-"')
    .requiredOption('--cluster <clusterId>', "the user's cluster")
    .option('--json', 'print the user as JSON')
    .addHelpText('after', examples('prg user add alice@example.com --cluster c1'))
    .action(async (userId: string, opts: { cluster: string }, cmd: Command) => {
      const ctx = context(cmd);
      const view = await ctx.api().call('POST /v1/users', { body: { userId, clusterId: opts.cluster } });
      if (ctx.out.json) return ctx.out.printJson(view);
      ctx.out.line(`User ${userId} added.`);
      printUser(ctx.out, view);
    });

  user
    .command('show')
    .description('show a user: home node, the node serving it now, when its client re-logs in')
    .argument('<userId>')
    .option('--json', JSON_HELP)
    .addHelpText('after', examples('prg user show alice@example.com'))
    .action(async (userId: string, _opts: unknown, cmd: Command) => {
      const ctx = context(cmd);
      const view = await ctx.api().call('GET /v1/users/{userId}', { path: { userId } });
      if (ctx.out.json) return ctx.out.printJson(view);
      printUser(ctx.out, view);
    });

  user
    .command('home')
    .description("set a user's home node by hand (only in user assignment mode NONE)")
    .argument('<userId>')
    .argument('<nodeId>', 'a node of the same cluster')
    .option('--json', 'print the user as JSON')
    .addHelpText('after', examples('prg mode set NONE', 'prg user home alice@example.com imp-b'))
    .action(async (userId: string, nodeId: string, _opts: unknown, cmd: Command) => {
      const ctx = context(cmd);
      const view = await ctx
        .api()
        .call('PUT /v1/users/{userId}/home', { path: { userId }, body: { nodeId } });
      if (ctx.out.json) return ctx.out.printJson(view);
      ctx.out.line(`User ${userId} now has home node ${nodeId}.`);
      printUser(ctx.out, view);
    });

  user
    .command('delete')
    .description('delete a user')
    .argument('<userId>')
    .addHelpText('after', examples('prg user delete alice@example.com'))
    .action(async (userId: string, _opts: unknown, cmd: Command) => {
      const ctx = context(cmd);
      await ctx.api().call('DELETE /v1/users/{userId}', { path: { userId } });
      ctx.out.line(`User ${userId} deleted.`);
    });

  user
    .command('list')
    .description('list the users with their home and serving node (every page)')
    .option('--node <nodeId>', 'only the users whose home is this node')
    .option('--json', `${JSON_HELP}: {"users": [...]}, every page in one list`)
    .addHelpText('after', examples('prg user list', 'prg user list --node imp-a --json'))
    .action(async (opts: { node?: string }, cmd: Command) => {
      const ctx = context(cmd);
      const api = ctx.api();
      const users = await allPages(async (cursor, limit) => {
        const page = await api.call('GET /v1/users', {
          query: { limit, ...(opts.node ? { node: opts.node } : {}), ...(cursor ? { cursor } : {}) },
        });
        return { items: page.users, next: page.next };
      });
      const res = { users: users.sort((a, b) => a.userId.localeCompare(b.userId)) };
      if (ctx.out.json) return ctx.out.printJson(res);
      if (res.users.length === 0)
        return ctx.out.line(opts.node ? `No user has ${opts.node} as home.` : 'No users.');
      const c = ctx.out.c;
      ctx.out.line(
        ctx.out.table(
          ['USER', 'CLUSTER', 'HOME', 'SERVING'],
          res.users.map((u) => [
            u.userId,
            u.clusterId,
            u.homeNode ?? c.dim('none'),
            u.currentNode === null
              ? c.dim('-')
              : u.currentNode === u.homeNode
                ? u.currentNode
                : c.yellow(`${u.currentNode} (home failed over)`),
          ]),
        ),
      );
    });

  user
    .command('rebalance')
    .description("re-run the sync agent's assignment over a cluster (refused during a failover)")
    .argument('<clusterId>')
    .option('--json', 'print the planned moves and the count moved as JSON')
    .addHelpText('after', examples('prg user rebalance c1     # after prg mode set, or after adding a group'))
    .action(async (clusterId: string, _opts: unknown, cmd: Command) => {
      const ctx = context(cmd);
      const res = await ctx.api().call('POST /v1/clusters/{clusterId}/rebalance', { path: { clusterId } });
      if (ctx.out.json) return ctx.out.printJson(res);
      const planned = res.planned.reduce((sum, m) => sum + m.count, 0);
      ctx.out.line(`Cluster ${clusterId}: ${res.moved} of ${planned} planned user moves done.`);
      for (const m of res.planned) ctx.out.line(`  ${m.from} → ${m.to}: ${m.count}`);
      if (res.moved < planned)
        ctx.out.line('Run it again to move the rest (a call moves at most 5,000 users).');
    });
}
