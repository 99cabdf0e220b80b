import { Option, type Command } from 'commander';
import { JSON_HELP, examples } from '../args';
import { context } from '../context';
import { usageError } from '../errors';

interface Target {
  cluster?: string;
  node?: string;
}

/** Whose parameters `--cluster` or `--node` names; exactly one of them. */
function parametersTarget(t: Target): { cluster: string } | { node: string } {
  if (t.cluster) return { cluster: t.cluster };
  if (t.node) return { node: t.node };
  throw usageError('say whose parameters: --cluster <clusterId> or --node <nodeId>', [
    'Cluster-wide: timers, critical services, automatic fallback. Per node: client re-login limits.',
  ]);
}

/**
 * Parses `name=value` into a PATCH body. Values are JSON when they parse (`30`, `true`,
 * `["A","B"]`), else text; `criticalServices` also takes a comma-separated list, the
 * way an operator would type it. The API checks names and ranges and names the field.
 */
export function parseAssignments(pairs: string[]): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0)
      throw usageError(`"${pair}" is not name=value`, [
        'For example: keepAliveTimeout=30 enableAutomaticFallback=true',
      ]);
    const name = pair.slice(0, at).trim();
    const text = pair.slice(at + 1);
    if (name in body) throw usageError(`${name} is given twice`);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = text;
    }
    if (name === 'criticalServices' && !Array.isArray(value))
      value = String(value)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    body[name] = value;
  }
  return body;
}

function formatValue(v: unknown): string {
  if (Array.isArray(v)) return v.join(', ');
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function targetOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--cluster <clusterId>', 'cluster-wide parameters').conflicts('node'))
    .addOption(new Option('--node <nodeId>', 'per-node parameters (client re-login limits)'));
}

/** `prg params get|set`: cluster-wide and per-node parameters (docs/data-model.md). */
export function registerParams(program: Command): void {
  const params = program
    .command('params')
    .description('cluster-wide parameters (timers, critical services, automatic fallback) and per-node ones')
    .addHelpText(
      'after',
      examples(
        'prg params get --cluster c1',
        'prg params set --cluster c1 keepAliveTimeout=30 enableAutomaticFallback=true',
        'prg params set --node imp-a clientReloginLowerLimit=60',
      ),
    );

  targetOptions(params.command('get').description('show the parameters of a cluster or a node'))
    .option('--json', JSON_HELP)
    .addHelpText('after', examples('prg params get --cluster c1', 'prg params get --node imp-a --json'))
    .action(async (opts: Target & { json?: boolean }, cmd: Command) => {
      const ctx = context(cmd);
      const target = parametersTarget(opts);
      const api = ctx.api();
      const values: Record<string, unknown> =
        'cluster' in target
          ? await api.call('GET /v1/clusters/{clusterId}/parameters', { path: { clusterId: target.cluster } })
          : await api.call('GET /v1/nodes/{nodeId}/parameters', { path: { nodeId: target.node } });
      if (ctx.out.json) return ctx.out.printJson(values);
      ctx.out.line(ctx.out.pairs(Object.entries(values).map(([k, v]) => [k, formatValue(v)])));
    });

  targetOptions(
    params
      .command('set')
      .description('change some parameters of a cluster or a node; rules are checked on the result')
      .argument(
        '<name=value...>',
        'e.g. keepAliveTimeout=30 criticalServices="Cisco XCP Router,Cisco SIP Proxy"',
      ),
  )
    .option('--json', 'print the resulting parameters as JSON')
    .addHelpText(
      'after',
      examples(
        'prg params set --cluster c1 keepAliveInterval=1 keepAliveTimeout=3 initializationKeepAliveTimeout=6',
        'prg params set --cluster c1 enableAutomaticFallback=true automaticFallbackDelay=600',
        'prg params set --node imp-a clientReloginLowerLimit=60 clientReloginUpperLimit=300',
      ),
    )
    .action(async (pairs: string[], opts: Target, cmd: Command) => {
      const ctx = context(cmd);
      const target = parametersTarget(opts);
      const api = ctx.api();
      // The server checks names, types and rules and answers a 400 naming each field.
      const body = parseAssignments(pairs) as never;
      const values: Record<string, unknown> =
        'cluster' in target
          ? await api.call('PATCH /v1/clusters/{clusterId}/parameters', {
              path: { clusterId: target.cluster },
              body,
            })
          : await api.call('PATCH /v1/nodes/{nodeId}/parameters', { path: { nodeId: target.node }, body });
      if (ctx.out.json) return ctx.out.printJson(values);
      ctx.out.line(
        `Parameters of ${opts.cluster ? `cluster ${opts.cluster}` : `node ${opts.node}`} changed:`,
      );
      ctx.out.line(
        ctx.out.pairs(
          Object.entries(values).map(([k, v]) => [k, formatValue(v)]),
          2,
        ),
      );
    });
}
