import type { Command } from 'commander';
import type { BusEvent } from '../../local/eventBus';
import { examples, intIn } from '../args';
import { ApiError } from '../client';
import { context } from '../context';
import { CliError, ExitCode } from '../errors';
import type { Colors } from '../output';
import { labelOfReason, labelOfState, paintState } from '../states';
import { readSse } from '../sse';

/** Pads plain text before colouring, so that colour codes do not upset the columns. */
const col = (text: string, width: number, paint: (s: string) => string = (s) => s) =>
  paint(text.padEnd(width));

/**
 * One event as a line: time, detail-type, group, node, from → to, reason (and the
 * outcome of a completed operation, or the home nodes whose users moved).
 */
export function formatEvent(event: BusEvent, c: Colors): string {
  const detail = event.detail as Record<string, unknown>;
  const str = (key: string) => (typeof detail[key] === 'string' ? (detail[key] as string) : null);
  if (event['detail-type'] === 'OperatorNotification') {
    // The message is several lines (title, what happened, what to do): indent all but the first.
    const [title = '', ...rest] = event.detail.message.split('\n');
    const paint =
      event.detail.severity === 'critical' ? c.red : event.detail.severity === 'warning' ? c.yellow : c.bold;
    return [
      [c.dim(event.time), col('Notification', 17, c.bold), col(event.detail.group, 12), paint(title)].join(
        '  ',
      ),
      ...rest.map((line) => `    ${line}`),
    ].join('\n');
  }
  const head = [c.dim(event.time), col(event['detail-type'], 17, c.bold), col(str('group') ?? '-', 12)];
  if (event['detail-type'] === 'NodeStateChanged') {
    const from = str('from');
    const to = str('to');
    return [
      ...head,
      col(str('nodeId') ?? '-', 12),
      `${from === null ? 'not managed' : labelOfState(from)} → ${paintState(c, to, to === null ? 'not managed' : undefined)}`,
      c.dim(labelOfReason(str('reason'))),
    ].join('  ');
  }
  if (event['detail-type'] === 'MaintenanceStarted' || event['detail-type'] === 'MaintenanceEnded') {
    const who = str('by') ?? 'its end time';
    const what =
      event['detail-type'] === 'MaintenanceStarted'
        ? `until ${str('until') ?? '?'} by ${who}: ${str('reason') ?? ''}`
        : `ended by ${who}`;
    return [...head, col('-', 12), c.yellow(what)].join('  ');
  }
  // Not a state machine event, so not in BusEvent's detail-types (lambdas/app/audit.ts).
  if ((event['detail-type'] as string) === 'AdminAction') {
    // Who did what: the action, what it acted on, the caller, and the fields it set.
    const subject = str('nodeId') ?? str('userId') ?? str('clusterId') ?? '-';
    const changed = Array.isArray(detail.changed) ? (detail.changed as string[]).join(', ') : '';
    return [
      ...head,
      col(subject, 12),
      `${str('action') ?? '?'} by ${str('by') ?? 'unknown caller'}`,
      ...(changed ? [c.dim(`changed ${changed}`)] : []),
    ].join('  ');
  }
  const moved = `${str('fromNode') ?? '?'} → ${str('toNode') ?? '?'}`;
  const tail: string[] = [];
  if (str('reason')) tail.push(c.dim(labelOfReason(str('reason'))));
  const outcome = str('outcome');
  if (outcome) tail.push(outcome === 'succeeded' ? c.green(outcome) : c.red(outcome));
  if (Array.isArray(detail.homeNodes))
    tail.push(c.dim(`users of ${(detail.homeNodes as string[]).join(', ')}`));
  return [...head, col('-', 12), `users ${moved}`, ...tail].join('  ');
}

interface EventsOptions {
  group?: string;
  count?: number;
  json?: boolean;
  interval: number;
}

/**
 * Without a stream (the API on AWS): polls each group's history and prints the lines newer
 * than the start, oldest first, as NodeStateChanged events. Runs until Ctrl-C or --count.
 */
async function pollHistory(ctx: ReturnType<typeof context>, opts: EventsOptions): Promise<void> {
  const api = ctx.api();
  process.stderr.write(
    `${api.connection.url} has no event stream: polling the history every ${opts.interval} s${opts.group ? ` for group ${opts.group}` : ''} (Ctrl-C to stop)\n`,
  );
  const since = new Map<string, string>();
  const start = new Date().toISOString();
  let seen = 0;
  let id = 0;
  for (;;) {
    const groups = opts.group ? [opts.group] : (await api.call('GET /v1/groups')).groups.map((g) => g.name);
    for (const group of groups) {
      const page = await api.call('GET /v1/groups/{name}/history', {
        path: { name: group },
        query: { limit: 100 },
      });
      const after = since.get(group) ?? start;
      const fresh = page.history.filter((h) => h.at > after).reverse();
      if (page.history[0]) since.set(group, page.history[0].at > after ? page.history[0].at : after);
      for (const h of fresh) {
        const event = {
          id: ++id,
          source: 'presence-ha',
          'detail-type': 'NodeStateChanged',
          time: h.at,
          detail: {
            group,
            nodeId: h.nodeId,
            from: h.from,
            to: h.to,
            reason: h.reason,
            at: h.at,
            cause: h.cause,
          },
        } as unknown as BusEvent;
        ctx.out.line(opts.json ? JSON.stringify(event) : formatEvent(event, ctx.out.c));
        seen += 1;
        if (opts.count !== undefined && seen >= opts.count) return;
      }
    }
    await new Promise((r) => setTimeout(r, opts.interval * 1000));
  }
}

/** `prg events`: follows the event stream of the embedded default (docs/events.md). */
export function registerEvents(program: Command): void {
  program
    .command('events')
    .description('follow the events (state changes, operations, user moves) as they happen, until Ctrl-C')
    .option('--group <name>', 'only the events of this group')
    .option('--count <n>', 'exit after this many events', intIn(1, 1_000_000))
    .option('--json', 'print each event as one line of JSON, as EventBridge delivers it')
    .option(
      '--interval <seconds>',
      'without a stream (AWS): how often to poll the history',
      intIn(1, 3600),
      5,
    )
    .addHelpText(
      'after',
      `${examples(
        'prg events',
        'prg events --group prg-1 --count 2',
        'prg events --json | jq -c \'select(.["detail-type"] == "NodeStateChanged") | .detail\'',
      )}

The stream is served by the embedded default (npm start). On AWS, where there is none,
prg polls the history of the groups every --interval seconds and prints each new state
change (NodeStateChanged only); for every event, subscribe to the stack's EventBridge bus.`,
    )
    .action(async (opts: EventsOptions, cmd: Command) => {
      const ctx = context(cmd);
      const api = ctx.api();
      const controller = new AbortController();
      let res: Response;
      try {
        res = await api.stream(controller.signal);
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) {
          // On AWS there is no stream: follow the groups' history instead.
          return pollHistory(ctx, opts);
        }
        throw e;
      }
      if (!res.body) throw new CliError('the event stream has no body', ExitCode.FAILED);
      process.stderr.write(
        `Following events from ${api.connection.url}${opts.group ? ` for group ${opts.group}` : ''} (Ctrl-C to stop)\n`,
      );
      let seen = 0;
      try {
        for await (const msg of readSse(res.body)) {
          let event: BusEvent;
          try {
            event = JSON.parse(msg.data) as BusEvent;
          } catch {
            continue;
          }
          if (opts.group && (event.detail as { group?: string }).group !== opts.group) continue;
          ctx.out.line(opts.json ? JSON.stringify(event) : formatEvent(event, ctx.out.c));
          seen += 1;
          if (opts.count !== undefined && seen >= opts.count) {
            // Closing the connection is what lets the process exit.
            controller.abort();
            return;
          }
        }
      } catch (e) {
        if (controller.signal.aborted) return;
        throw new CliError(`the event stream broke off: ${(e as Error).message}`, ExitCode.FAILED, [
          'Is the control plane still running? Run prg events again once it is back.',
        ]);
      }
      throw new CliError('the event stream was closed by the control plane', ExitCode.FAILED, [
        'It stops when the control plane stops; run prg events again once it is back.',
      ]);
    });
}
