/**
 * A property-based fuzzer driven by the route table. For every route it sends requests
 * generated from the route's own schemas — valid ones, and hostile ones in every part —
 * alone and in short sequences across routes, and holds every answer to the same rules:
 * nothing ≥ 500; every 4xx is problem+json with type, title, status and detail; the
 * refusal the route table demands (auth, size, JSON, then path, query and body, naming
 * each refused field); a refused request writes nothing to any table and starts and
 * publishes nothing; a success is the route's status with its response schema.
 *
 * Size: FUZZ_RUNS requests in all (default 1,200), bounded by FUZZ_SECONDS. Each run
 * starts from the same baseline, so a failure replays from what fast-check prints:
 * FUZZ_REPLAY='<property>:<seed>:<path>' runs that one counterexample again.
 * FUZZ_SEED changes the seed of every property (the default is fixed, so `npm test`
 * is repeatable).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { RouteKey } from '../../../lambdas/contract';
import { FuzzWorld, stats } from './fuzzWorld';
import { anyRequest, FUZZ_ROUTES, requestArb, sequences, type FuzzRequest, type Step } from './requests';

const TOTAL = Number(process.env.FUZZ_RUNS ?? 1200);
/** The time bound: 50 s by default; a soak gets about 20 requests a second before it stops itself. */
const SECONDS = Number(process.env.FUZZ_SECONDS ?? Math.max(50, TOTAL / 20));
const BASE_SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const REPLAY = process.env.FUZZ_REPLAY?.match(/^(.+?):(-?\d+):([\d:]+)$/);

/** About two thirds of the requests go to routes alone, a third to sequences (about five steps each). */
const PER_ROUTE = Math.max(4, Math.round((TOTAL * 0.62) / FUZZ_ROUTES.length));
const SEQUENCE_RUNS = Math.max(8, Math.round((TOTAL * 0.38) / 5));
const deadline = Date.now() + SECONDS * 1000;

let world: FuzzWorld;
beforeAll(async () => {
  world = await FuzzWorld.create();
});

afterAll(() => {
  console.log(
    `fuzz: ${stats.requests} requests, ${stats.fiveHundreds} answers ≥ 500, ${stats.refused} refused, ${stats.accepted} accepted` +
      ` (seed ${BASE_SEED}, ${Math.round((Date.now() - (deadline - SECONDS * 1000)) / 1000)} s` +
      `${stats.interrupted ? `, stopped by the ${SECONDS} s time bound` : ''}; ` +
      `${stats.tasks.ran} workflow tasks run, ${stats.tasks.refused} refused)`,
  );
  if (process.env.FUZZ_VERBOSE) {
    for (const [route, tally] of Object.entries(stats.byRoute))
      console.log(`  ${route.padEnd(44)} ${JSON.stringify(tally)}`);
  }
  for (const [name, n] of Object.entries(stats.known))
    console.log(`fuzz: known, reported, not yet fixed — ${name}: ${n} answers ≥ 500`);
});

/** A seed per property, derived from the base seed and the property's name. */
function seedOf(name: string): number {
  let x = BASE_SEED | 0;
  for (const ch of name) x = Math.imul(x ^ ch.charCodeAt(0), 0x9e3779b1) | 0;
  return x;
}

/**
 * Checks a property with its own seed, within the time left; on failure, says how to
 * replay the shrunk counterexample.
 */
async function check<T>(
  name: string,
  arb: fc.Arbitrary<T>,
  numRuns: number,
  run: (value: T) => Promise<void>,
) {
  if (REPLAY && REPLAY[1] !== name) return;
  const seed = REPLAY ? Number(REPLAY[2]) : seedOf(name);
  // When the time limit interrupts a run, fast-check stops waiting for it but cannot stop
  // it: its requests go on. The next property must not start until it has ended, or the
  // two write the same tables at once and one is blamed for the other's writes.
  let inFlight: Promise<unknown> = Promise.resolve();
  const property = fc.asyncProperty(arb, (value) => {
    const once = (async () => {
      await world.reset();
      await run(value);
    })();
    inFlight = once.catch(() => undefined);
    return once;
  });
  const details = await fc
    .check(property, {
      seed,
      numRuns,
      ...(REPLAY ? { path: REPLAY[3], endOnFailure: true } : {}),
      interruptAfterTimeLimit: Math.max(1000, deadline - Date.now()),
      markInterruptAsFailure: false,
      // Shrinking replays requests; a few hundred attempts find a small counterexample.
      maxSkipsPerRun: 100,
    })
    .finally(() => inFlight);
  if (details.interrupted) stats.interrupted = true;
  if (details.failed) {
    const error = details.errorInstance as Error | undefined;
    const replay = `FUZZ_REPLAY='${name}:${seed}:${details.counterexamplePath}'`;
    throw new Error(
      [
        fc.defaultReportMessage(details),
        String(error?.message ?? error),
        ...(process.env.FUZZ_STACK ? [String(error?.stack)] : []),
        `Replay: ${replay} npx vitest run --project integration test/integration/fuzz (FUZZ_STACK=1 adds the stack)`,
      ].join('\n\n'),
    );
  }
}

const timeout = (SECONDS + 60) * 1000;

describe('the route table, fuzzed', () => {
  it('the oracle itself: a refused request that writes is caught', async () => {
    const db = new DynamoDBClient({
      endpoint: inject('dynamoEndpoint'),
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const nodes = world.h.ports.nodes;
    const get = nodes.get.bind(nodes);
    // A lookup that writes on the side, then answers "no such node" (404).
    nodes.get = async (id) => {
      await db.send(
        new PutItemCommand({ TableName: world.h.tables.settings, Item: { scope: { S: 'side-effect' } } }),
      );
      return get(id);
    };
    try {
      await world.reset();
      const missing: FuzzRequest = {
        label: 'self-check',
        route: 'GET /v1/nodes/{nodeId}',
        method: 'GET',
        path: '/v1/nodes/nobody',
        credentials: { scopes: ['prg/read'] },
        tick: 0,
      };
      await expect(world.send(missing)).rejects.toThrow(
        /A refused request \(404\) wrote:\n {2}settings .*side-effect/,
      );
    } finally {
      nodes.get = get;
      await world.reset();
    }
  });

  it.each(FUZZ_ROUTES.map((r) => [r.key]) as [RouteKey][])(
    '%s: hostile and valid requests alone',
    async (key) => {
      await check(
        key,
        fc.oneof(
          { weight: 1, arbitrary: requestArb(key, { valid: true }) },
          { weight: 3, arbitrary: requestArb(key) },
        ),
        PER_ROUTE,
        async (req: FuzzRequest) => {
          await world.send(req);
        },
      );
    },
    timeout,
  );

  it(
    'sequences across routes, valid and invalid steps mixed',
    async () => {
      await check('sequences', sequences, SEQUENCE_RUNS, async (steps: Step[]) => {
        for (const step of steps) {
          if ('tick' in step) world.h.clock.t += step.tick;
          else if ('task' in step) await world.runTask(step.task, step.group);
          else await world.send(step.request);
        }
      });
    },
    timeout,
  );

  it(
    'any request after any other',
    async () => {
      await check(
        'pairs',
        fc.tuple(anyRequest, anyRequest),
        Math.max(4, Math.round(TOTAL * 0.05)),
        async (reqs) => {
          for (const req of reqs) await world.send(req);
        },
      );
    },
    timeout,
  );
});
