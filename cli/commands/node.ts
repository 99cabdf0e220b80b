import type { Command } from 'commander';
import { JSON_HELP, examples } from '../args';
import { allPages } from '../client';
import { context } from '../context';
import { legacyWindow } from '../../lambdas/contract/client';
import { relativeAge, type Output } from '../output';

/** How an issued token is shown: once, with what to do with it. */
function printToken(out: Output, nodeId: string, token: string, rotated: boolean): void {
  out.line('');
  out.line(`  token  ${out.c.bold(token)}`);
  out.line('');
  out.line(`Put this token in the node agent's config on ${nodeId} ("token" in its config file).`);
  out.line(
    `It is shown only this once (the control plane keeps only a hash); \`prg node rotate-token ${nodeId}\` issues a new one.`,
  );
  if (rotated) out.line('The previous token no longer works: the agent is refused until it has the new one.');
}

/**
 * When a legacy token stops working, as the API says it (`legacyTokenAcceptedUntil`):
 * a date still ahead, one passed, no window at all, or not told (an older control plane).
 */
export function legacyDeadline(until: string | null | undefined, now = Date.now()): string {
  const w = legacyWindow(until, now);
  switch (w.kind) {
    case 'untold':
      return 'refused once the legacy window closes';
    case 'none':
      return 'refused: this deployment accepts no legacy token';
    case 'closed':
      return `refused since the legacy window closed at ${w.at}`;
    case 'open':
      return `refused from ${w.at}, in ${w.left}`;
  }
}

/** What to do about nodes still on a token of the release before MAC tokens. */
function legacyAdvice(who: string, nodeId: string, until: string | null | undefined): string {
  return `${who} a legacy (prgn.) token, ${legacyDeadline(until)}; rotate with \`prg node rotate-token ${nodeId}\` and give the agent the new token (docs/runbooks.md, upgrading a fleet).`;
}

/** `prg node ...`: register, list, show, rotate-token, delete. */
export function registerNode(program: Command): void {
  const node = program
    .command('node')
    .description('presence nodes: register them, see their last heartbeat, manage their tokens')
    .addHelpText(
      'after',
      examples(
        'prg node register imp-a --hostname imp-a.example.com --cluster c1 --software-version 15.0 --publisher pub-1',
        'prg node list',
      ),
    );

  node
    .command('register')
    .description("register a node and issue its agent's token")
    .argument('<nodeId>', '1–64 letters, digits, ".", "_" or "-"')
    .requiredOption('--hostname <name>', "the node's host name")
    .requiredOption('--cluster <clusterId>', 'its cluster (nodes of a cluster share parameters)')
    .requiredOption('--software-version <version>', 'both nodes of a group must run the same')
    .requiredOption(
      '--publisher <nodeId>',
      "the cluster's database publisher (the same for both nodes of a group)",
    )
    .option('--json', 'print {"node": ..., "token": ...} as JSON')
    .addHelpText(
      'after',
      examples(
        'prg node register imp-a --hostname imp-a.example.com --cluster c1 --software-version 15.0 --publisher pub-1',
      ),
    )
    .action(
      async (
        nodeId: string,
        opts: { hostname: string; cluster: string; softwareVersion: string; publisher: string },
        cmd: Command,
      ) => {
        const ctx = context(cmd);
        const res = await ctx.api().call('POST /v1/nodes', {
          body: {
            nodeId,
            hostname: opts.hostname,
            clusterId: opts.cluster,
            softwareVersion: opts.softwareVersion,
            publisherId: opts.publisher,
          },
        });
        if (ctx.out.json) return ctx.out.printJson(res);
        ctx.out.line(`Node ${nodeId} registered in cluster ${opts.cluster}.`);
        printToken(ctx.out, nodeId, res.token, false);
      },
    );

  node
    .command('list')
    .description('list the registered nodes with their group and last heartbeat (every page)')
    .option('--json', `${JSON_HELP}: {"nodes": [...]}, every page in one list`)
    .addHelpText('after', examples('prg node list', "prg node list --json | jq -r '.nodes[].nodeId'"))
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = context(cmd);
      const api = ctx.api();
      const nodes = await allPages(async (cursor, limit) => {
        const page = await api.call('GET /v1/nodes', { query: { limit, ...(cursor ? { cursor } : {}) } });
        return { items: page.nodes, next: page.next };
      });
      // The API pages in storage order; an operator reads names in order.
      const res = { nodes: nodes.sort((a, b) => a.nodeId.localeCompare(b.nodeId)) };
      if (ctx.out.json) return ctx.out.printJson(res);
      if (res.nodes.length === 0)
        return ctx.out.line('No nodes registered yet. Register one with: prg node register --help');
      const c = ctx.out.c;
      const now = Date.now();
      // The TOKEN column only while some node still holds a prgn. token: after the upgrade
      // it is the list of nodes to rotate, and it leaves the table once there are none.
      const legacy = res.nodes.filter((n) => n.legacyToken);
      ctx.out.line(
        ctx.out.table(
          [
            'NODE',
            'HOSTNAME',
            'CLUSTER',
            'VERSION',
            'GROUP',
            'USERS',
            'LAST HEARTBEAT',
            ...(legacy.length > 0 ? ['TOKEN'] : []),
          ],
          res.nodes.map((n) => [
            n.nodeId,
            n.hostname,
            n.clusterId,
            n.softwareVersion,
            n.group ?? c.dim('-'),
            String(n.userCount),
            n.lastHeartbeatAt ? relativeAge(n.lastHeartbeatAt, now) : c.dim('never'),
            ...(legacy.length > 0 ? [n.legacyToken ? c.yellow('legacy') : c.dim('current')] : []),
          ]),
        ),
      );
      if (legacy.length > 0) {
        ctx.out.line('');
        // One window per deployment: every legacy node of the page says the same date.
        const [first] = legacy;
        ctx.out.line(
          legacyAdvice(
            legacy.length === 1 ? '1 node holds' : `${legacy.length} nodes hold`,
            legacy.length === 1 && first ? first.nodeId : '<nodeId>',
            first?.legacyTokenAcceptedUntil,
          ),
        );
      }
    });

  node
    .command('show')
    .description('show one node: its registration, group, last heartbeat, services and database')
    .argument('<nodeId>')
    .option('--json', JSON_HELP)
    .addHelpText('after', examples('prg node show imp-a'))
    .action(async (nodeId: string, _opts: unknown, cmd: Command) => {
      const ctx = context(cmd);
      const view = await ctx.api().call('GET /v1/nodes/{nodeId}', { path: { nodeId } });
      if (ctx.out.json) return ctx.out.printJson(view);
      const out = ctx.out;
      out.line(
        out.pairs([
          ['node', out.c.bold(view.nodeId)],
          ['hostname', view.hostname],
          ['cluster', view.clusterId],
          ['software version', view.softwareVersion],
          ['publisher', view.publisherId],
          ['group', view.group ?? '-'],
          ['users (home)', String(view.userCount)],
          [
            'last heartbeat',
            view.lastHeartbeatAt ? `${relativeAge(view.lastHeartbeatAt)} (${view.lastHeartbeatAt})` : 'never',
          ],
          ['database', view.database ?? '-'],
          ['registered', view.registeredAt],
          ['token', view.legacyToken ? out.c.yellow('legacy (prgn.)') : 'current'],
        ]),
      );
      if (view.legacyToken)
        out.line(legacyAdvice('This node holds', view.nodeId, view.legacyTokenAcceptedUntil));
      const services = Object.entries(view.services);
      if (services.length > 0) {
        out.line(out.c.dim('services'));
        out.line(
          out.pairs(
            services.map(([service, status]) => [
              service,
              status === 'running' ? out.c.green(status) : out.c.red(status),
            ]),
            2,
          ),
        );
      }
    });

  node
    .command('rotate-token')
    .description("issue a new token for a node's agent; the old one stops working at once")
    .argument('<nodeId>')
    .option('--json', 'print {"token": ...} as JSON')
    .addHelpText('after', examples('prg node rotate-token imp-a'))
    .action(async (nodeId: string, _opts: unknown, cmd: Command) => {
      const ctx = context(cmd);
      const res = await ctx.api().call('POST /v1/nodes/{nodeId}/token', { path: { nodeId } });
      if (ctx.out.json) return ctx.out.printJson(res);
      ctx.out.line(`New token issued for node ${nodeId}.`);
      printToken(ctx.out, nodeId, res.token, true);
    });

  node
    .command('delete')
    .description('delete a node (refused while it is in a group)')
    .argument('<nodeId>')
    .addHelpText('after', examples('prg node delete imp-a'))
    .action(async (nodeId: string, _opts: unknown, cmd: Command) => {
      const ctx = context(cmd);
      await ctx.api().call('DELETE /v1/nodes/{nodeId}', { path: { nodeId } });
      ctx.out.line(`Node ${nodeId} deleted; its token no longer works.`);
    });
}
