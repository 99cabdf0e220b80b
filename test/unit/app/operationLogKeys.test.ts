/**
 * Every log line a workflow task writes carries its operation id (and group and task), so
 * an operator can follow one failover through the function log by the id the history,
 * the events and the execution name carry; the next invocation does not inherit them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeHandlers } from '../../../lambdas/handlers';
import { logger } from '../../../lambdas/handlers/observability';
import { localContext } from '../../../local/apiGatewayEvent';
import { world, type World } from './world';

let w: World;
let lines: string[];
const write = process.stdout.write.bind(process.stdout);
const writeError = process.stderr.write.bind(process.stderr);
const capture = ((chunk: string | Uint8Array) => {
  lines.push(String(chunk));
  return true;
}) as typeof process.stdout.write;
const restore = () => {
  process.stdout.write = write;
  process.stderr.write = writeError;
};
beforeEach(() => {
  w = world();
  lines = [];
  logger.setLogLevel('INFO');
  // Powertools writes warnings and errors to stderr, the rest to stdout.
  process.stdout.write = capture;
  process.stderr.write = capture;
});
afterEach(() => {
  restore();
  logger.setLogLevel('SILENT');
});

const logged = () =>
  lines
    .flatMap((l) => l.split('\n'))
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('workflow task logs', () => {
  it('carry the operation id, group and task on every line, and drop them after the invocation', async () => {
    const { a, b } = await w.normalPair();
    a.services['Cisco XCP Router'] = 'stopped';
    await w.beatBoth(a, b, 3);
    const run = w.started().find((s) => s.workflow === 'TAKE_OVER')!;
    // The log of the Lambda ports (composition.ts): Powertools, as on AWS.
    const handlers = makeHandlers({
      ...w.ports,
      log: {
        info: (message, extra) => logger.info(message, { ...extra }),
        warn: (message, extra) => logger.warn(message, { ...extra }),
        error: (message, extra) => logger.error(message, { ...extra }),
      },
    });
    lines.length = 0;
    await handlers.workflowTask(
      {
        task: 'reportFailure',
        group: 'prg-1',
        operationId: run.operationId,
        error: { Error: 'X', Cause: 'y' },
      },
      localContext('workflowTask'),
    );
    const during = logged();
    expect(during.length).toBeGreaterThan(0);
    for (const line of during) {
      expect(line, JSON.stringify(line)).toMatchObject({
        operationId: run.operationId,
        group: 'prg-1',
        task: 'reportFailure',
      });
    }
    lines.length = 0;
    logger.info('after');
    restore();
    expect(during.map((line) => line.level)).toContain('ERROR');
    expect(logged()[0]).not.toHaveProperty('operationId');
  });
});
