/**
 * Every log line of an API request carries the API Gateway request id as
 * `correlation_id`, so an operator can go from a client's error or an access-log line to
 * what the function logged.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeHandlers } from '../../../lambdas/handlers';
import { logger } from '../../../lambdas/handlers/observability';
import { localContext, matchRoute, toApiGatewayEvent } from '../../../local/apiGatewayEvent';
import { world, type World } from './world';

let w: World;
let lines: string[];
const write = process.stdout.write.bind(process.stdout);
beforeEach(() => {
  w = world();
  lines = [];
  logger.setLogLevel('INFO');
  process.stdout.write = ((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
});
afterEach(() => {
  process.stdout.write = write;
  logger.setLogLevel('SILENT');
});

describe('correlation id', () => {
  it('is the request id on the log lines of the request, and gone after it', async () => {
    await w.normalPair();
    const match = matchRoute('POST', '/v1/groups/prg-1/failover')!;
    const event = toApiGatewayEvent(
      {
        method: 'POST',
        path: '/v1/groups/prg-1/failover',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ nodeId: 'imp-a' }),
        scopes: ['prg/admin'],
      },
      match.route,
      match.pathParameters,
    );
    // The log of the Lambda ports (composition.ts): Powertools, as on AWS.
    const handlers = makeHandlers({
      ...w.ports,
      log: {
        info: (message, extra) => logger.info(message, { ...extra }),
        warn: (message, extra) => logger.warn(message, { ...extra }),
        error: (message, extra) => logger.error(message, { ...extra }),
      },
    });
    const res = (await handlers.groupActions(event, localContext('groupActions'))) as { statusCode: number };
    process.stdout.write = write;
    expect(res.statusCode).toBe(202);
    const logged = lines
      .flatMap((l) => l.split('\n'))
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged.length).toBeGreaterThan(0);
    for (const line of logged)
      expect(line.correlation_id, JSON.stringify(line)).toBe(event.requestContext.requestId);
    // Not carried into the next request of the warm function.
    expect(logger.getCorrelationId()).toBeUndefined();
  });
});
