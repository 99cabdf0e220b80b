/**
 * The heartbeat flood of issue 10 (item 1), measured on the embedded default, loopback
 * only: forged heartbeats at a steady rate alongside a real pair. Two figures:
 * - DynamoDB calls per forged request (goal 0), counted by a proxy in front of DynamoDB
 *   Local that sees every call the control plane makes;
 * - the real pair's heartbeat p95 with the flood, against without (goal: within 20 %).
 *
 * `npm run bench` calls `benchFlood()`; `npx tsx test/bench/flood.ts` runs it alone.
 * The client, the flood and the server share one Node process, so the p95 also pays for
 * the flood's own CPU: a harder test than a separate attacker would be.
 */
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { DEFAULT_CRITICAL_SERVICES } from '../../lambdas/core';
import { startDynamoDbLocal } from '../../local/dynamodbLocal';
import { startEmbedded } from '../../local/embedded';

export interface FloodOptions {
  /** Forged requests a second (the flood was ~200/s). */
  forgedPerSecond?: number;
  /** Heartbeats of each real node per phase (three phases with the flood, three without). */
  beats?: number;
}

export interface FloodFigures {
  forgedRequests: number;
  forgedPerSecondAchieved: number;
  /** Status codes the forged requests got, by code. */
  forgedStatuses: Record<string, number>;
  dynamoCallsPerForged: number;
  baselineP95Ms: number;
  floodP95Ms: number;
  /** floodP95Ms / baselineP95Ms - 1. */
  p95Increase: number;
  realFailures: number;
}

/** A proxy on 127.0.0.1 that forwards to DynamoDB Local and counts the calls going through. */
async function countingProxy(
  target: string,
): Promise<{ url: string; calls: () => number; close(): Promise<void> }> {
  const to = new URL(target);
  let calls = 0;
  const server: Server = createServer((req, res) => {
    calls++;
    const upstream = request(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls: () => calls,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)] ?? NaN;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the flood bench; bounded (a few seconds of traffic), everything it starts is stopped. */
export async function benchFlood(o: FloodOptions = {}): Promise<FloodFigures> {
  const forgedPerSecond = o.forgedPerSecond ?? 200;
  const beats = o.beats ?? 100;
  const db = await startDynamoDbLocal();
  const proxy = await countingProxy(db.endpoint);
  const embedded = await startEmbedded({
    host: '127.0.0.1',
    port: 0,
    dynamoEndpoint: proxy.url,
    sweepSeconds: 3600, // no sweep during the bench: every call counted is a request's
    writeLine: () => undefined,
  });
  try {
    const api = async (method: string, path: string, token: string, body?: unknown) => {
      const res = await fetch(`${embedded.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    };
    const admin = embedded.adminToken;
    const nodes: { id: string; token: string; sequence: number }[] = [];
    for (const id of ['flood-a', 'flood-b']) {
      const reg = await api('POST', '/v1/nodes', admin, {
        nodeId: id,
        hostname: `${id}.example.com`,
        clusterId: 'flood',
        softwareVersion: '15.0',
        publisherId: 'pub-1',
      });
      if (reg.status !== 201) throw new Error(`registering ${id}: ${reg.status} ${JSON.stringify(reg.body)}`);
      nodes.push({ id, token: String(reg.body.token), sequence: 0 });
    }
    const services = Object.fromEntries(DEFAULT_CRITICAL_SERVICES.map((s) => [s, 'running']));
    const beat = async (n: (typeof nodes)[number]) => {
      n.sequence += 1;
      return api('POST', `/v1/nodes/${n.id}/heartbeat`, n.token, {
        bootId: `${n.id}-boot`,
        boot: 1,
        sequence: n.sequence,
        services,
        database: 'up',
      });
    };
    for (const n of nodes) await beat(n);
    const group = await api('POST', '/v1/groups', admin, {
      name: 'flood-1',
      nodes: nodes.map((n) => n.id),
      highAvailability: true,
    });
    if (group.status !== 201)
      throw new Error(`creating the group: ${group.status} ${JSON.stringify(group.body)}`);

    /** The pair's heartbeats, one after the other, timed; failures counted. */
    const realPhase = async () => {
      const times: number[] = [];
      let failures = 0;
      for (let i = 0; i < beats; i++) {
        for (const n of nodes) {
          const t0 = performance.now();
          const res = await beat(n);
          times.push(performance.now() - t0);
          if (res.status !== 200) failures++;
        }
      }
      return { times, failures };
    };

    // The flood's own client: plain node:http over kept-alive sockets, lighter than fetch,
    // so that less of the measured slowdown is the attacker's CPU rather than the server's.
    const target = new URL(embedded.url);
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const forge = (path: string, token: string, body: string) =>
      new Promise<number>((resolve) => {
        const req = request(
          {
            host: target.hostname,
            port: target.port,
            method: 'POST',
            path,
            agent,
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', () => resolve(0));
        req.end(body);
      });

    const [a] = nodes as [(typeof nodes)[number]];
    const parts = a.token.split('.');
    const forgeries = [
      'garbage',
      'prgn.Zmxvb2QtYQ.c2VjcmV0',
      [...parts.slice(0, 4), 'A'.repeat(43)].join('.'),
      [parts[0], parts[1], '7', ...parts.slice(3)].join('.'),
    ];
    const statuses: Record<string, number> = Object.create(null) as Record<string, number>;
    let forged = 0;
    let flooding = false;
    /** Forged heartbeats at `forgedPerSecond`, until `flooding` is false. */
    const flood = async () => {
      // Paced by the clock, not by timer ticks: a busy event loop must not slow the flood down.
      const start = performance.now();
      const sentBefore = forged;
      const pending: Promise<void>[] = [];
      while (flooding) {
        const owed = ((performance.now() - start) / 1000) * forgedPerSecond - (forged - sentBefore);
        for (let i = 0; i < Math.floor(owed); i++) {
          const token = forgeries[forged % forgeries.length]!;
          const body = forged % 2 === 0 ? '{not json' : '{"sequence":"x"}';
          forged++;
          pending.push(
            forge(`/v1/nodes/${forged % 3 === 0 ? 'flood-b' : 'flood-a'}/heartbeat`, token, body).then(
              (status) => {
                statuses[status] = (statuses[status] ?? 0) + 1;
              },
            ),
          );
        }
        await sleep(10);
      }
      await Promise.all(pending);
    };

    await realPhase(); // warm: caches, connections, JIT

    // The flood alone: every DynamoDB call in this window is the flood's.
    const callsBefore = proxy.calls();
    flooding = true;
    const t0 = performance.now();
    const alone = flood();
    await sleep(2000);
    flooding = false;
    await alone;
    const forgedAlone = forged;
    const floodCalls = proxy.calls() - callsBefore;
    const achieved = forgedAlone / ((performance.now() - t0) / 1000);

    // The pair without and under the flood, taken in turns so that a busy machine weighs on both alike.
    const baseline = { times: [] as number[], failures: 0 };
    const underFlood = { times: [] as number[], failures: 0 };
    for (let round = 0; round < 3; round++) {
      const quiet = await realPhase();
      baseline.times.push(...quiet.times);
      baseline.failures += quiet.failures;
      flooding = true;
      const during = flood();
      const loud = await realPhase();
      flooding = false;
      await during;
      underFlood.times.push(...loud.times);
      underFlood.failures += loud.failures;
    }
    agent.destroy();

    const baselineP95Ms = p95(baseline.times);
    const floodP95Ms = p95(underFlood.times);
    return {
      forgedRequests: forged,
      forgedPerSecondAchieved: Math.round(achieved),
      forgedStatuses: { ...statuses },
      dynamoCallsPerForged: floodCalls / forgedAlone,
      baselineP95Ms,
      floodP95Ms,
      p95Increase: floodP95Ms / baselineP95Ms - 1,
      realFailures: baseline.failures + underFlood.failures,
    };
  } finally {
    await embedded.stop();
    await proxy.close();
    await db.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const f = await benchFlood({
    ...(process.env.BENCH_FLOOD_RPS ? { forgedPerSecond: Number(process.env.BENCH_FLOOD_RPS) } : {}),
  });
  process.stdout.write(`${JSON.stringify(f, null, 2)}\n`);
  const ok = f.dynamoCallsPerForged === 0 && f.p95Increase <= 0.2 && f.realFailures === 0;
  process.stdout.write(
    `DynamoDB calls per forged request: ${f.dynamoCallsPerForged} (goal 0); real pair p95 ${f.baselineP95Ms.toFixed(1)} → ${f.floodP95Ms.toFixed(1)} ms under ${f.forgedPerSecondAchieved} forged/s (${(f.p95Increase * 100).toFixed(0)} %, goal ≤ 20 %) ${ok ? 'OK' : 'MISSED'}\n`,
  );
}
