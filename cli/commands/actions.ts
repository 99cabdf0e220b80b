import type { Command } from 'commander';
import type { DryRunView, OperationAccepted } from '../../lambdas/contract';
import { examples, intIn } from '../args';
import type { ApiClient } from '../client';
import { confirm, renderDryRun, shouldAsk } from '../confirm';
import { context } from '../context';
import { CliError, ExitCode, usageError } from '../errors';
import { describeStates, renderGroup } from '../groupView';
import { duration } from '../output';
import { endedFailed, followOperation } from '../wait';

interface ActionOptions {
  wait?: boolean;
  timeout: number;
  json?: boolean;
  dryRun?: boolean;
  yes?: boolean;
}

/** An action as sent to the API: for real (202) or as a dry run (200). */
type Send = (
  api: ApiClient,
  dryRun: boolean,
) => Promise<{ group: string; answer: OperationAccepted | DryRunView }>;

const isDryRun = (answer: OperationAccepted | DryRunView): answer is DryRunView =>
  'dryRun' in answer && answer.dryRun;

/** The group a node belongs to, or a usage error saying it has none. */
async function groupOf(api: ApiClient, nodeId: string, action: string): Promise<string> {
  const node = await api.call('GET /v1/nodes/{nodeId}', { path: { nodeId } });
  if (!node.group) {
    throw usageError(`node ${nodeId} is in no presence redundancy group, so there is nothing to ${action}`, [
      'Put it in a group with its peer first: prg group create <name> <node1> <node2> --ha',
    ]);
  }
  return node.group;
}

/**
 * Starts an operation and reports it; with `--wait` follows it to the end, prints the
 * final states and fails (exit 1) when the group ends in Running in Failed Mode.
 */
async function run(cmd: Command, opts: ActionOptions, what: string, send: Send): Promise<void> {
  const ctx = context(cmd);
  const api = ctx.api();
  if (opts.dryRun || shouldAsk(opts.yes)) {
    // The same decision as the real action: a refusal is the same 409 (exit 4).
    const { group, answer } = await send(api, true);
    if (!isDryRun(answer))
      throw new CliError('the server did not answer the dry run as one', ExitCode.FAILED);
    if (opts.dryRun) {
      if (ctx.out.json) return ctx.out.printJson(answer);
      return ctx.out.line(renderDryRun(ctx.out, answer, group));
    }
    ctx.out.line(renderDryRun(ctx.out, answer, group));
    if (!(await confirm(`${what} of group ${group}: go ahead?`))) {
      throw new CliError(`${what.toLowerCase()} not started: not confirmed`, ExitCode.FAILED, [
        'Nothing was changed. Add --yes to skip the question.',
      ]);
    }
  }
  const began = Date.now();
  const { group, answer } = await send(api, false);
  if (isDryRun(answer)) throw new CliError('the server answered a dry run to a real action', ExitCode.FAILED);
  const accepted = answer;
  const op = accepted.operation;
  if (!opts.wait) {
    if (ctx.out.json) return ctx.out.printJson(accepted);
    ctx.out.line(
      op
        ? `${what} of group ${group} started: ${op.fromNode} → ${op.toNode} (operation ${op.id}).`
        : `${what} of group ${group} accepted.`,
    );
    ctx.out.line(`Follow it with: prg status ${group}   (or run this command with --wait)`);
    return;
  }
  const final = await followOperation(api, group, {
    operationId: op?.id ?? null,
    timeoutSeconds: opts.timeout,
  });
  if (ctx.out.json) ctx.out.printJson(final);
  else {
    ctx.out.line(
      `${what} of group ${group} ended after ${duration(Date.now() - began)}: ${describeStates(final, ctx.out.c)}`,
    );
    ctx.out.line('');
    ctx.out.line(renderGroup(ctx.out, final));
  }
  if (endedFailed(final, op?.id ?? null)) {
    throw new CliError(
      `the ${what.toLowerCase()} failed: group ${group} is ${describeStates(final)}`,
      ExitCode.FAILED,
      [
        `states: ${describeStates(final)}`,
        `${ctx.out.json ? 'See recommendedActions in the JSON' : 'See the recommended actions above'}; then: prg recover ${group} --wait`,
      ],
    );
  }
}

function withWait(cmd: Command): Command {
  return cmd
    .option('--wait', 'follow the operation to its end, then print the final states')
    .option(
      '--timeout <seconds>',
      'with --wait: give up waiting after this long (exit 1)',
      intIn(1, 86_400),
      120,
    )
    .option('--json', 'print the 202 answer, or with --wait the final group, as JSON')
    .option(
      '--dry-run',
      'show what would happen (states right after and at the end, users that move); change nothing',
    )
    .option('--yes', 'do not ask for confirmation on a terminal (scripts and pipes are never asked)');
}

/** `prg failover <node>`, `prg fallback <node>`, `prg recover <group>`: the manual's `utils ha` actions. */
export function registerActions(program: Command): void {
  withWait(
    program
      .command('failover')
      .description(
        "fail a node over: its peer takes over the node's users and the node stops its critical services",
      )
      .argument('<node>', 'the node to fail over (both nodes of its group must be Normal)'),
  )
    .addHelpText(
      'after',
      examples(
        'prg failover imp-a --wait        # ends with imp-a Idle, its peer Running in Backup Mode',
        'prg failover imp-a --dry-run     # what it would do; nothing changes',
      ),
    )
    .action(async (nodeId: string, opts: ActionOptions, cmd: Command) =>
      run(cmd, opts, 'Failover', async (api, dryRun) => {
        const group = await groupOf(api, nodeId, 'fail over');
        return {
          group,
          answer: await api.call('POST /v1/groups/{name}/failover', {
            path: { name: group },
            body: { nodeId, ...(dryRun ? { dryRun } : {}) },
          }),
        };
      }),
    );

  withWait(
    program
      .command('fallback')
      .description(
        'fall back to a node: it starts its critical services and takes its users back from its peer',
      )
      .argument('<node>', 'the node to fall back to (Idle or Failed Over, its peer Running in Backup Mode)'),
  )
    .addHelpText('after', examples('prg fallback imp-a --wait        # ends with both nodes Normal'))
    .action(async (nodeId: string, opts: ActionOptions, cmd: Command) =>
      run(cmd, opts, 'Fallback', async (api, dryRun) => {
        const group = await groupOf(api, nodeId, 'fall back to');
        return {
          group,
          answer: await api.call('POST /v1/groups/{name}/fallback', {
            path: { name: group },
            body: { nodeId, ...(dryRun ? { dryRun } : {}) },
          }),
        };
      }),
    );

  withWait(
    program
      .command('recover')
      .description('recover a group whose nodes are both failed: users return home and both nodes start over')
      .argument('<group>', 'the group to recover'),
  )
    .addHelpText('after', examples('prg recover prg-1 --wait         # ends with both nodes Normal'))
    .action(async (group: string, opts: ActionOptions, cmd: Command) =>
      run(cmd, opts, 'Recovery', async (api, dryRun) => ({
        group,
        answer: await api.call('POST /v1/groups/{name}/recover', {
          path: { name: group },
          ...(dryRun ? { body: { dryRun } } : {}),
        }),
      })),
    );
}
