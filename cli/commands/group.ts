import type { Command } from 'commander';
import { JSON_HELP, examples } from '../args';
import { allPages } from '../client';
import { confirm, shouldAsk } from '../confirm';
import { context } from '../context';
import { CliError, ExitCode, usageError } from '../errors';
import { describeOperation, oldAgentAdvice, oldAgents, renderGroup, type GroupView } from '../groupView';
import { relativeAge } from '../output';
import { paintState } from '../states';

/** Prints a group after a change: the JSON view, or the status block. */
function printGroup(cmd: Command, group: GroupView, headline: string): void {
  const { out } = context(cmd);
  if (out.json) return out.printJson(group);
  out.line(headline);
  out.line('');
  out.line(renderGroup(out, group));
}

/** `prg group ...`: create, list, show, update, delete, enable-ha, disable-ha. */
export function registerGroup(program: Command): void {
  const group = program
    .command('group')
    .description('presence redundancy groups: a pair of nodes that back each other up')
    .addHelpText(
      'after',
      examples(
        'prg group create prg-1 imp-a imp-b --ha --description "Building 1"',
        'prg group list',
        'prg group show prg-1',
      ),
    );

  group
    .command('create')
    .description('create a group of one or two registered nodes (same cluster, publisher and version)')
    .argument('<name>', '1–128 letters, digits, "_" or "-"')
    .argument('<nodes...>', 'one or two node ids')
    .option('--description <text>', 'up to 128 characters, none of " % & \\ / < >')
    .option('--ha', 'turn high availability on at once (needs two nodes)')
    .option('--json', 'print the created group as JSON')
    .addHelpText('after', examples('prg group create prg-1 imp-a imp-b --ha'))
    .action(
      async (name: string, nodes: string[], opts: { description?: string; ha?: boolean }, cmd: Command) => {
        if (nodes.length > 2)
          throw usageError(`a group has one or two nodes; ${nodes.length} were given (${nodes.join(', ')})`);
        const view = await context(cmd)
          .api()
          .call('POST /v1/groups', {
            body: {
              name,
              nodes,
              highAvailability: opts.ha === true,
              ...(opts.description !== undefined ? { description: opts.description } : {}),
            },
          });
        printGroup(cmd, view, `Group ${name} created${opts.ha ? ' with high availability on' : ''}.`);
      },
    );

  group
    .command('list')
    .description('list the groups, with their nodes and states')
    .option('--prefix <prefix>', 'only groups whose name starts with this')
    .option('--json', `${JSON_HELP}: {"groups": [...]}, every page in one list`)
    .addHelpText('after', examples('prg group list', 'prg group list --prefix prg- --json'))
    .action(async (opts: { prefix?: string }, cmd: Command) => {
      const ctx = context(cmd);
      const api = ctx.api();
      const groups = await allPages(async (cursor, limit) => {
        const page = await api.call('GET /v1/groups', {
          query: { limit, ...(opts.prefix ? { name: opts.prefix } : {}), ...(cursor ? { cursor } : {}) },
        });
        return { items: page.groups, next: page.next };
      });
      const res = { groups: groups.sort((a, b) => a.name.localeCompare(b.name)) };
      if (ctx.out.json) return ctx.out.printJson(res);
      if (res.groups.length === 0) return ctx.out.line('No groups.');
      const c = ctx.out.c;
      ctx.out.line(
        ctx.out.table(
          ['NAME', 'HA', 'CLUSTER', 'NODES', 'OPERATION', 'DESCRIPTION'],
          res.groups.map((g) => [
            g.name,
            g.highAvailability ? 'on' : c.dim('off'),
            g.clusterId,
            g.nodes
              .map((n) =>
                [
                  n.nodeId,
                  paintState(c, n.state, n.state ? n.stateLabel : ''),
                  n.agentAcknowledges === false ? c.yellow('(old agent)') : '',
                ]
                  .filter(Boolean)
                  .join(' '),
              )
              .join(', '),
            describeOperation(g) ?? c.dim('-'),
            g.description,
          ]),
        ),
      );
      // The list is where a fleet is surveyed: say once which agents still need the upgrade.
      const old = res.groups.flatMap(oldAgents);
      if (old.length > 0) ctx.out.line(c.yellow(oldAgentAdvice(old)));
    });

  group
    .command('show')
    .description('show one group: states, reasons, causes, services, operation, version')
    .argument('<name>')
    .option('--json', JSON_HELP)
    .addHelpText('after', examples('prg group show prg-1', 'prg group show prg-1 --json'))
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const ctx = context(cmd);
      const view = await ctx.api().call('GET /v1/groups/{name}', { path: { name } });
      if (ctx.out.json) return ctx.out.printJson(view);
      const out = ctx.out;
      out.line(renderGroup(out, view));
      out.line('');
      out.line(
        out.pairs(
          [
            ['description', view.description || '-'],
            ['failed over', view.failedOver ?? '-'],
            ['epoch', String(view.epoch)],
            ['version', String(view.version)],
            ['created', `${view.createdAt} (${relativeAge(view.createdAt)})`],
            ['updated', `${view.updatedAt} (${relativeAge(view.updatedAt)})`],
          ],
          2,
        ),
      );
      for (const node of view.nodes) {
        const services = Object.entries(node.services);
        if (services.length === 0) continue;
        out.line('');
        out.line(`  ${out.c.bold(node.nodeId)} services (service order: ${node.serviceOrder})`);
        out.line(
          out.pairs(
            services.map(([service, status]) => [
              service,
              status === 'running' ? out.c.green(status) : out.c.red(status),
            ]),
            4,
          ),
        );
      }
    });

  group
    .command('update')
    .description("change a group's description")
    .argument('<name>')
    .requiredOption('--description <text>', 'the new description ("" to clear it)')
    .option('--json', 'print the group as JSON')
    .addHelpText('after', examples('prg group update prg-1 --description "Building 2"'))
    .action(async (name: string, opts: { description: string }, cmd: Command) => {
      const view = await context(cmd)
        .api()
        .call('PATCH /v1/groups/{name}', { path: { name }, body: { description: opts.description } });
      printGroup(cmd, view, `Group ${name} updated.`);
    });

  group
    .command('delete')
    .description(
      'delete a group and free its nodes (refused while a workflow runs, or while a failed-over node is still home to users)',
    )
    .argument('<name>')
    .option('--yes', 'do not ask for confirmation on a terminal (scripts and pipes are never asked)')
    .addHelpText('after', examples('prg group delete prg-1', 'prg group delete prg-1 --yes'))
    .action(async (name: string, opts: { yes?: boolean }, cmd: Command) => {
      const ctx = context(cmd);
      if (shouldAsk(opts.yes)) {
        // What is about to go: the group as it stands, then the question.
        const view = await ctx.api().call('GET /v1/groups/{name}', { path: { name } });
        ctx.out.line(renderGroup(ctx.out, view));
        ctx.out.line('');
        if (!(await confirm(`Delete group ${name} and free its nodes?`))) {
          throw new CliError(`group ${name} not deleted: not confirmed`, ExitCode.FAILED, [
            'Nothing was changed. Add --yes to skip the question.',
          ]);
        }
      }
      await ctx.api().call('DELETE /v1/groups/{name}', { path: { name } });
      ctx.out.line(`Group ${name} deleted; its nodes are free to join another group.`);
    });

  group
    .command('rehome')
    .description(
      'give the users of a failed-over node that will not come back its peer as their home (a workflow), so the group can be deleted or the node replaced',
    )
    .argument('<name>', 'the group')
    .argument('<node>', 'the failed-over node (its peer must be Running in Backup Mode)')
    .option('--json', 'print the 202 answer as JSON')
    .addHelpText(
      'after',
      examples(
        'prg group rehome prg-1 imp-a     # then, once imp-a is home to nobody: prg group delete prg-1',
        '# the runbook: docs/runbooks.md, "Replace a dead node"',
      ),
    )
    .action(async (name: string, nodeId: string, _opts: unknown, cmd: Command) => {
      const ctx = context(cmd);
      const res = await ctx.api().call('POST /v1/groups/{name}/rehome', { path: { name }, body: { nodeId } });
      if (ctx.out.json) return ctx.out.printJson(res);
      ctx.out.line(
        `Re-home ${res.operationId} started: ${res.users} user(s) whose home is ${res.fromNode} get ${res.toNode} as their home.`,
      );
      ctx.out.line(
        `Watch it with: prg node show ${res.fromNode}   (users: 0 when done); then: prg group delete ${name}`,
      );
    });

  for (const [verb, on] of [
    ['enable-ha', true],
    ['disable-ha', false],
  ] as const) {
    group
      .command(verb)
      .description(
        on
          ? 'turn high availability on: both nodes are judged on their heartbeats and monitored from now on'
          : 'turn high availability off: every user goes home and the nodes are no longer monitored',
      )
      .argument('<name>')
      .option('--json', 'print the group as JSON')
      .addHelpText('after', examples(`prg group ${verb} prg-1`))
      .action(async (name: string, _opts: unknown, cmd: Command) => {
        const view = await context(cmd)
          .api()
          .call('PATCH /v1/groups/{name}', { path: { name }, body: { highAvailability: on } });
        printGroup(cmd, view, `High availability ${on ? 'enabled' : 'disabled'} on group ${name}.`);
      });
  }
}
