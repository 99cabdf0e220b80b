import { describe, expect, it } from 'vitest';
import { Orders } from '../../../agent/orders';
import { answer, events, flush, memoryLog, RecordingServices } from './support/fakes';

function setup() {
  const services = new RecordingServices();
  const log = memoryLog();
  let afterCommand = 0;
  const orders = new Orders(services, log, () => void afterCommand++);
  return { orders, services, log, afterCommands: () => afterCommand };
}

describe("the control plane's service orders: each carried out once, one at a time", () => {
  it('runs a stop once although every answer repeats it', async () => {
    const { orders, services, log } = setup();
    for (let i = 0; i < 5; i++) orders.obey(answer({ state: 'IDLE', serviceOrder: 'stop', epoch: 4 }), false);
    await orders.idle();
    expect(services.calls).toEqual(['stop', 'stop done']);
    expect(services.running).toBe(false);
    expect(events(log.lines)).toEqual(['order-executed']);
  });

  it('a manual failover is one stop over two epochs (failing over, then idle): the stop runs once', async () => {
    const { orders, services } = setup();
    orders.obey(answer({ state: 'FAILING_OVER', serviceOrder: 'stop', epoch: 4 }), false);
    orders.obey(answer({ state: 'IDLE', serviceOrder: 'stop', epoch: 5 }), false);
    orders.obey(answer({ state: 'IDLE', serviceOrder: 'stop', epoch: 5 }), false);
    await orders.idle();
    expect(services.count('stop')).toBe(1);
  });

  it('an order that lapsed and came back is a new order: stop, start, stop each run once', async () => {
    const { orders, services } = setup();
    // Each answer comes once the previous command has run (a stop order drops a start
    // still queued: see the pre-emption test below).
    for (const [order, epoch] of [
      ['stop', 2],
      ['stop', 2],
      ['start', 4],
      ['start', 4],
      ['leave', 5],
      ['stop', 7],
      ['stop', 7],
    ] as const) {
      orders.obey(answer({ serviceOrder: order, epoch }), false);
      await orders.idle();
    }
    expect(services.calls.filter((c) => !c.endsWith('done'))).toEqual(['stop', 'start', 'stop']);
  });

  it('leave runs nothing', async () => {
    const { orders, services } = setup();
    orders.obey(answer({ serviceOrder: 'leave', epoch: 1 }), false);
    orders.obey(answer({ serviceOrder: 'leave', epoch: 2 }), false);
    await orders.idle();
    expect(services.calls).toEqual([]);
  });

  it('epochs count per group: the same order from another group runs again', async () => {
    const { orders, services } = setup();
    orders.obey(answer({ group: 'prg-1', serviceOrder: 'stop', epoch: 9 }), false);
    orders.obey(answer({ group: 'prg-2', serviceOrder: 'stop', epoch: 1 }), false);
    await orders.idle();
    expect(services.count('stop')).toBe(2);
  });

  it('a stop order pre-empts a slow start: the start is killed, the stop runs, and the node ends stopped', async () => {
    const { orders, services, afterCommands } = setup();
    services.running = false;
    services.hold = true;
    orders.obey(answer({ serviceOrder: 'start', epoch: 3 }), false);
    await flush();
    expect(services.calls).toEqual(['start']);
    // The control plane moves the users once this node acknowledges the stop and reports
    // its services stopped: the start must not finish after that.
    orders.obey(answer({ serviceOrder: 'stop', epoch: 5 }), false);
    await flush();
    expect(services.calls.slice(0, 2)).toEqual(['start', 'start killed']);
    expect(services.calls).toContain('stop');
    expect(afterCommands()).toBe(1);

    services.release();
    await orders.idle();
    expect(services.calls.at(-1)).toBe('stop done');
    expect(services.running).toBe(false);
    expect(afterCommands()).toBe(2);
  });

  it('a failed command is logged as an error with what to do, and the next one still runs', async () => {
    const { orders, services, log } = setup();
    services.fail = 'stop';
    orders.obey(answer({ serviceOrder: 'stop', epoch: 2 }), false);
    orders.obey(answer({ serviceOrder: 'start', epoch: 4 }), false);
    await orders.idle();
    expect(services.calls).toEqual(['stop', 'stop done', 'start', 'start done']);
    expect(log.lines[0]).toMatchObject({ level: 'error', event: 'order-failed' });
    expect(log.lines[0]!.message).toContain('stop the critical services by hand');
    expect(log.lines[1]).toMatchObject({ level: 'info', event: 'order-executed' });
  });
});

describe('self-fencing and the answer that ends it', () => {
  it('fencing stops the services; the first answer after it, order leave, starts them again', async () => {
    const { orders, services, log } = setup();
    orders.obey(answer({ serviceOrder: 'leave', epoch: 1 }), false);
    orders.fence();
    await orders.idle();
    expect(services.running).toBe(false);

    orders.obey(answer({ serviceOrder: 'leave', epoch: 1 }), true);
    await orders.idle();
    expect(services.calls.filter((c) => !c.endsWith('done'))).toEqual(['stop', 'start']);
    expect(services.running).toBe(true);
    expect(log.lines.at(-1)!.message).toContain('stopped only by self-fencing');
  });

  it('the first answer after a fence ordering stop runs nothing: they are already stopped', async () => {
    const { orders, services, log } = setup();
    orders.fence();
    await orders.idle();
    orders.obey(answer({ state: 'IDLE', serviceOrder: 'stop', epoch: 6 }), true);
    orders.obey(answer({ state: 'IDLE', serviceOrder: 'stop', epoch: 6 }), false);
    await orders.idle();
    expect(services.calls).toEqual(['stop', 'stop done']);
    expect(events(log.lines)).toEqual(['order-executed', 'order-satisfied']);
  });

  it('the first answer after a fence ordering start runs it, even if that epoch’s start ran before the fence', async () => {
    const { orders, services } = setup();
    orders.obey(answer({ serviceOrder: 'start', epoch: 8 }), false);
    orders.fence();
    orders.obey(answer({ serviceOrder: 'start', epoch: 8 }), true);
    orders.obey(answer({ serviceOrder: 'start', epoch: 8 }), false);
    await orders.idle();
    expect(services.calls.filter((c) => !c.endsWith('done'))).toEqual(['start', 'stop', 'start']);
    expect(services.running).toBe(true);
  });

  it('services an order had stopped before the fence are not started when the control plane answers leave', async () => {
    const { orders, services } = setup();
    orders.obey(answer({ state: 'IDLE', serviceOrder: 'stop', epoch: 5 }), false);
    orders.fence();
    orders.obey(answer({ state: 'IDLE', serviceOrder: 'leave', epoch: 5 }), true);
    await orders.idle();
    expect(services.count('start')).toBe(0);
    expect(services.running).toBe(false);
  });

  it('a rebooted agent (reset) knows no earlier epoch: the repeated order runs again', async () => {
    const { orders, services } = setup();
    orders.obey(answer({ serviceOrder: 'stop', epoch: 3 }), false);
    orders.reset();
    orders.obey(answer({ serviceOrder: 'stop', epoch: 3 }), false);
    await orders.idle();
    expect(services.count('stop')).toBe(2);
  });
});
