import type { Effect } from '../core';
import type { Ports } from './ports';
import { deliverOutbox, type OutboxRecord } from './outbox';

/**
 * Carries out what a transition asked for, after its write succeeded: history lines,
 * events, workflow starts. Each kind is attempted even if another fails, and a failure
 * is logged for operators rather than failing a request whose decision is already
 * stored: a lost workflow start is caught by the operation's deadline, a lost event or
 * history line is reported here.
 */
export async function runEffects(
  ports: Ports,
  group: string,
  effects: Effect[],
  version: number,
  /** Written with the state: its history is stored already, its events are published from it. */
  outbox?: OutboxRecord,
): Promise<void> {
  const history = [];
  const events = [];
  const starts: Extract<Effect, { type: 'StartWorkflow' }>[] = [];
  for (const effect of effects) {
    switch (effect.type) {
      case 'AppendHistory':
        history.push(effect.entry);
        break;
      case 'Publish':
        events.push(effect.event);
        break;
      case 'StartWorkflow':
        starts.push(effect);
        break;
      case 'OrderServices':
        // Delivered in the node's next heartbeat answer; logged so operators can follow orders.
        ports.log.info('Service order changed', {
          group,
          nodeId: effect.nodeId,
          order: effect.order,
          epoch: effect.epoch,
        });
        break;
      case 'Refuse':
        break;
      default: {
        const never: never = effect;
        throw new Error(`unknown effect ${JSON.stringify(never)}`);
      }
    }
  }
  const results = await Promise.allSettled([
    outbox || history.length === 0 ? Promise.resolve() : ports.history.append(group, history, version),
    outbox
      ? deliverOutbox(ports, outbox)
      : events.length > 0
        ? ports.events.publish(events)
        : Promise.resolve(),
    ...starts.map((start) =>
      ports.workflows.start({
        group,
        operationId: start.operationId,
        workflow: start.workflow,
        fromNode: start.fromNode,
        toNode: start.toNode,
        ...(start.waitSeconds === undefined ? {} : { waitSeconds: start.waitSeconds }),
      }),
    ),
  ]);
  const what = ['history', 'events', ...starts.map((s) => `workflow ${s.workflow} ${s.operationId}`)];
  // The operation a failed start belongs to, by its id, for the operator who follows it.
  const operationOf = (index: number) => {
    const start = index >= 2 ? starts[index - 2] : undefined;
    return start ? { operationId: start.operationId, workflow: start.workflow } : {};
  };
  results.forEach((result, index) => {
    if (result.status === 'rejected' && outbox && index === 1) {
      ports.log.warn(
        `Group ${group}: the decision and its events are stored, but the events could not be published now; the sweep publishes them within a minute.`,
        { group, version, error: String(result.reason) },
      );
    } else if (result.status === 'rejected') {
      ports.log.error(
        `Group ${group}: the decision is stored but its ${what[index]} could not be written; ` +
          'workflows are restarted by the sweep or failed by their deadline, events and history lines are lost.',
        { group, ...operationOf(index), error: String(result.reason) },
      );
    }
  });
}
