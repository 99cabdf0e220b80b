/**
 * Steady heartbeats through the real heartbeat handler on DynamoDB Local, on a simulated
 * clock (a pair at the default 15 s interval, so a run of 960 beats covers two hours and
 * every 10-minute silence bucket and parameter-cache expiry in it), measured from outside:
 * DynamoDB capacity per beat, indexes included; calls per beat; what the function logs;
 * and the handler's sequential speed against a raw UpdateItem of the same item with the
 * same condition.
 */
import { performance } from 'node:perf_hooks';
import { UpdateItemCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { UpdateCommand } from '../../lambdas/adapters/dynamodb/commands';
import { StaticNodeTokenKeys } from '../../lambdas/app';
import { DEFAULT_CLUSTER_PARAMETERS, DEFAULT_CRITICAL_SERVICES } from '../../lambdas/core';
import { makeHandlers, portsFrom, type InvokableHandler } from '../../lambdas/handlers';
import { heartbeatPortsFrom } from '../../lambdas/handlers/composition';
import { makeHeartbeatHandler } from '../../lambdas/handlers/heartbeat';
import { createTables, localClient, localDocumentDb } from '../../local/dynamodbLocal';
import { localContext, matchRoute, toApiGatewayEvent } from '../../local/apiGatewayEvent';
import { meteredDb } from './meter';

export interface HeartbeatBenchFigures {
  beats: number;
  wcuPerBeat: number;
  rcuPerBeat: number;
  callsPerBeat: number;
  /** Size of the group item after the run, bytes as DynamoDB counts them (from the write's capacity). */
  itemWcu: number;
  p50Ms: number;
  p95Ms: number;
  handlerMeanMs: number;
  /** A raw UpdateItem over the SDK's low-level DynamoDB client, attribute values marshalled beforehand. */
  rawUpdateMeanMs: number;
  /** handler throughput / raw UpdateItem throughput (SDK client), sequential. */
  throughputRatio: number;
  /** The same UpdateItem over the heartbeat's own DynamoDB client (`wire/`), document-shaped. */
  wireUpdateMeanMs: number;
  /** handler throughput / that UpdateItem's throughput: what the handler adds to its one write. */
  throughputRatioVsWire: number;
  functionLogBytesPerBeat: number;
  /** Mean size of a steady heartbeat's response body, bytes (what the access log's `bytes` says). */
  responseBytes: number;
}

const services = Object.fromEntries(DEFAULT_CRITICAL_SERVICES.map((s) => [s, 'running' as const]));

/** Writes to stdout are counted and swallowed while `counting`; the bench prints with `print`. */
const realWrite = process.stdout.write.bind(process.stdout);
let swallowed = 0;
export const print = (text: string) => realWrite(text);
function swallowStdout(): () => void {
  process.stdout.write = ((chunk: string | Uint8Array) => {
    swallowed += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    return true;
  }) as typeof process.stdout.write;
  return () => {
    process.stdout.write = realWrite as typeof process.stdout.write;
  };
}

export async function benchHeartbeats(endpoint: string, prefix: string): Promise<HeartbeatBenchFigures> {
  const tables = await createTables(endpoint, prefix);
  const { db, meter } = meteredDb(endpoint);
  // The raw baselines: the SDK's low-level client, and the heartbeat's own client unmetered.
  const client = localClient(endpoint);
  const wire = localDocumentDb(endpoint);
  let now = Date.UTC(2026, 0, 1);
  const config = {
    db,
    tables,
    // Workflows and events are not what is measured: stand-ins that accept everything.
    workflows: { start: async () => {} },
    events: { publish: async () => {} },
    clock: { now: () => now },
    // One key for both sets of ports: the tokens the nodes function issues are checked by the heartbeat's.
    nodeTokens: StaticNodeTokenKeys.random(),
  };
  // The pair is set up through the other functions' handlers; heartbeats go to a handler
  // over the ports the heartbeat function builds for itself (heartbeatPortsFrom).
  const handlers = {
    ...makeHandlers(portsFrom(config)),
    heartbeat: makeHeartbeatHandler(heartbeatPortsFrom(config)) as unknown as InvokableHandler,
  };
  let responseBytes = 0;
  const call = async (method: string, path: string, body: unknown, token?: string) => {
    const m = matchRoute(method, path);
    if (!m) throw new Error(`No route for ${method} ${path}`);
    const event = toApiGatewayEvent(
      {
        method,
        path,
        headers: token ? { authorization: `Bearer ${token}` } : {},
        body: JSON.stringify(body),
        scopes: token ? null : ['prg/admin'],
      },
      m.route,
      m.pathParameters,
    );
    const functionId = m.route.spec.function;
    const res = (await handlers[functionId](event, localContext(functionId))) as {
      statusCode: number;
      body: string;
    };
    if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${res.body}`);
    responseBytes += Buffer.byteLength(res.body);
    return JSON.parse(res.body) as Record<string, unknown>;
  };
  const restore = swallowStdout();
  try {
    const tokens: Record<string, string> = {};
    for (const id of ['a', 'b']) {
      const registered = await call('POST', '/v1/nodes', {
        nodeId: id,
        hostname: `${id}.example.com`,
        clusterId: 'c',
        softwareVersion: '1',
        publisherId: 'p',
      });
      tokens[id] = String(registered.token);
    }
    const seqs = { a: 0, b: 0 };
    const beat = (id: 'a' | 'b') =>
      call(
        'POST',
        `/v1/nodes/${id}/heartbeat`,
        { bootId: id, boot: 0, sequence: ++seqs[id], services, database: 'up' },
        tokens[id],
      );
    await beat('a');
    await beat('b');
    await call('POST', '/v1/groups', { name: 'bench', nodes: ['a', 'b'], highAvailability: true });
    const step = (DEFAULT_CLUSTER_PARAMETERS.keepAliveInterval * 1000) / 2;
    // Past initialization: both nodes healthy long enough that the pair is steady.
    const settle = Math.ceil((DEFAULT_CLUSTER_PARAMETERS.keepAliveTimeout * 1000 * 4) / step);
    for (let i = 0; i < settle; i++) {
      now += step;
      await beat(i % 2 === 0 ? 'a' : 'b');
    }
    // The measured run: two simulated hours of a steady pair.
    meter.reset();
    swallowed = 0;
    responseBytes = 0;
    const beats = 960;
    const latencies: number[] = [];
    for (let i = 0; i < beats; i++) {
      now += step;
      const t0 = performance.now();
      await beat(i % 2 === 0 ? 'a' : 'b');
      latencies.push(performance.now() - t0);
    }
    const logBytes = swallowed;
    const meanResponseBytes = responseBytes / beats;
    const wcuPerBeat = meter.wcu / beats;
    const rcuPerBeat = meter.rcu / beats;
    const callsPerBeat = meter.calls / beats;
    latencies.sort((x, y) => x - y);

    // The raw baseline: the handler's own last UpdateItem, replayed on a copy of the item.
    const update = meter.lastUpdate;
    if (!update) throw new Error('The steady heartbeat sent no UpdateItem; nothing to compare with.');
    const stored = await client.send(
      new GetItemCommand({ TableName: tables.groups, Key: { name: { S: 'bench' } }, ConsistentRead: true }),
    );
    const copy = { ...stored.Item, name: { S: 'bench-raw' } };
    await client.send(new PutItemCommand({ TableName: tables.groups, Item: copy }));
    let rawSeq = 1e9;
    // The update as the SDK's low-level client takes it: values marshalled once, beforehand.
    const marshalledValues = marshall(update.ExpressionAttributeValues ?? {}, {
      removeUndefinedValues: true,
      convertClassInstanceToMap: true,
    });
    // Both ask for the consumed capacity, as the metered handler's writes do.
    const rawOnce = async () => {
      const values = { ...marshalledValues, ':seq': { N: String(++rawSeq) } };
      return client.send(
        new UpdateItemCommand({
          ...(update as object),
          Key: { name: { S: 'bench-raw' } },
          ExpressionAttributeValues: values,
          ReturnConsumedCapacity: 'INDEXES',
        } as never),
      );
    };
    const wireOnce = () =>
      wire.send(
        new UpdateCommand({
          ...update,
          Key: { name: 'bench-raw' },
          ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':seq': ++rawSeq },
          ReturnConsumedCapacity: 'INDEXES',
        }),
      );
    const first = await rawOnce();
    const itemWcu = [first.ConsumedCapacity ?? []].flat().reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
    await wireOnce();
    // Interleaved rounds, so that the machine's load falls on all three alike. Sequential and
    // as fast as they go, as in a busy function: the clock moves 1 ms a beat, so the
    // parameter cache holds and every side makes the one conditional write.
    const rawRatios: number[] = [];
    const wireRatios: number[] = [];
    let handlerMs = 0;
    let rawMs = 0;
    let wireMs = 0;
    const rounds = 12;
    const perRound = 40;
    for (let round = 0; round < rounds; round++) {
      let t0 = performance.now();
      for (let i = 0; i < perRound; i++) {
        now += 1;
        await beat(i % 2 === 0 ? 'a' : 'b');
      }
      const handlerRound = performance.now() - t0;
      t0 = performance.now();
      for (let i = 0; i < perRound; i++) await rawOnce();
      const rawRound = performance.now() - t0;
      t0 = performance.now();
      for (let i = 0; i < perRound; i++) await wireOnce();
      const wireRound = performance.now() - t0;
      handlerMs += handlerRound;
      rawMs += rawRound;
      wireMs += wireRound;
      rawRatios.push(rawRound / handlerRound);
      wireRatios.push(wireRound / handlerRound);
    }
    // The median round: one round slowed by the machine's other work does not decide it.
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? Number.NaN;
    const handlerMeanMs = handlerMs / (rounds * perRound);
    const rawUpdateMeanMs = rawMs / (rounds * perRound);
    const wireUpdateMeanMs = wireMs / (rounds * perRound);
    const throughputRatio = median(rawRatios);
    const throughputRatioVsWire = median(wireRatios);
    return {
      beats,
      wcuPerBeat,
      rcuPerBeat,
      callsPerBeat,
      itemWcu,
      p50Ms: latencies[Math.floor(beats * 0.5)] ?? Number.NaN,
      p95Ms: latencies[Math.floor(beats * 0.95)] ?? Number.NaN,
      handlerMeanMs,
      rawUpdateMeanMs,
      throughputRatio,
      wireUpdateMeanMs,
      throughputRatioVsWire,
      functionLogBytesPerBeat: logBytes / beats,
      responseBytes: meanResponseBytes,
    };
  } finally {
    restore();
    client.destroy();
  }
}
