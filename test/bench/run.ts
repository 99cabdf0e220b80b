/**
 * `npm run bench`: the speed and cost goals of presence-ha, measured (never asserted in
 * timed tests); docs/performance.md says what each figure means and how it is taken.
 * Bounded: DynamoDB Local is started and stopped here, and a watchdog ends the run after
 * 20 minutes whatever happens. `npm run bench -- --json` prints, as its last line, one
 * JSON object with every figure. `BENCH_SWEEP_GROUPS` sets how many groups the sweep
 * is measured over (default 50,000); `PRG_DYNAMODB_ENDPOINT` uses a DynamoDB Local already
 * running instead of starting one.
 *
 * Goals (issue 11):
 * - a steady heartbeat costs ≤ 1.05 write units and ≤ 0.55 read units, indexes included;
 * - a lost node is detected within keepAliveTimeout + 1 s at the defaults;
 * - a node costs ≤ $0.35 a month at the defaults;
 * - the heartbeat handler reaches ≥ 0.8 × the throughput of a raw UpdateItem;
 * - every Lambda bundle ≤ 250 KiB, the heartbeat bundle imports cold in ≤ 150 ms;
 * - the sweep reads per due group, not per group of the fleet.
 */
import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';

// What the deployed functions log at (Powertools' defaults, metrics on), so that what a
// heartbeat logs is measured as it would be billed; set before the handlers are loaded.
process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
process.env.POWERTOOLS_METRICS_DISABLED = 'false';
process.env.POWERTOOLS_DEV = 'false';
// DynamoDB Local can be slow to start on a busy machine.
process.env.PRG_DYNAMODB_START_SECONDS ??= '180';

const BENCH_LIMIT_MS = 20 * 60_000;
setTimeout(() => {
  process.stderr.write(`The bench ran over ${BENCH_LIMIT_MS / 60_000} minutes and was stopped.\n`);
  process.exit(2);
}, BENCH_LIMIT_MS).unref();

const root = process.cwd();
const { DEFAULT_CLUSTER_PARAMETERS, DEFAULT_CRITICAL_SERVICES, newGroup, transition } =
  await import('../../lambdas/core');
const { FUNCTIONS, SWEEP_SHARDS } = await import('../../lambdas/contract');
const { startDynamoDbLocal } = await import('../../local/dynamodbLocal');
const { detectionDelay } = await import('../support/detection');
const { benchHeartbeats, print } = await import('./heartbeatBench');
const { benchSweep } = await import('./sweepBench');
const { measureBundles } = await import('./bundles');
const { costPerNodeMonth, sweepUsdPerMonthPerNode, PRICES, IN_REGION_DYNAMODB_CALL_MS } =
  await import('./cost');

const results: { what: string; measured: string; goal: string; ok: boolean }[] = [];
const figures: Record<string, number | string | null> = {};

function benchCore(): void {
  const services = Object.fromEntries(DEFAULT_CRITICAL_SERVICES.map((s) => [s, 'running' as const]));
  const p = DEFAULT_CLUSTER_PARAMETERS;
  let g = newGroup('bench', ['a', 'b']);
  let now = Date.UTC(2026, 0, 1);
  let seq = 0;
  const beat = (id: string) => {
    g = transition(
      g,
      {
        type: 'Heartbeat',
        nodeId: id,
        heartbeat: { bootId: id, boot: 0, sequence: ++seq, services, database: 'up' },
      },
      now,
      p,
    ).group;
  };
  beat('a');
  beat('b');
  g = transition(g, { type: 'EnableHa' }, now, p).group;
  const n = 50_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    now += 500;
    beat(i % 2 === 0 ? 'a' : 'b');
  }
  const perSecond = n / ((performance.now() - t0) / 1000);
  figures.coreTransitionsPerSecond = Math.round(perSecond);
  results.push({
    what: 'state machine: heartbeat transitions per second',
    measured: Math.round(perSecond).toLocaleString('en'),
    goal: '≥ 20,000',
    ok: perSecond >= 20_000,
  });
}

/**
 * Detection at the defaults: a node falls silent at a random phase of the pair; its peer
 * follows the answered nextHeartbeatSeconds. How long after the node's last heartbeat is
 * it shown Down and taken over? Simulated time through the real core.
 */
function benchDetection(): void {
  const params = DEFAULT_CLUSTER_PARAMETERS;
  let worst = 0;
  for (let run = 0; run < 2_000; run++) {
    const phase = 1 + Math.floor(Math.random() * (params.keepAliveInterval * 1000 - 1));
    worst = Math.max(worst, detectionDelay(params, phase, 1 + Math.floor(Math.random() * 6)));
  }
  const overTimeout = (worst - params.keepAliveTimeout * 1000) / 1000;
  figures.detectionWorstSecondsOverTimeout = overTimeout;
  results.push({
    what: 'detection at 15 s / 60 s, worst of 2,000 phases, s after keepAliveTimeout',
    measured: overTimeout.toFixed(2),
    goal: '≤ 1',
    ok: overTimeout <= 1,
  });
}

const fmt = (n: number, digits = 3) => (Number.isFinite(n) ? n.toFixed(digits) : String(n));

benchCore();
benchDetection();

// An existing DynamoDB (Local) when PRG_DYNAMODB_ENDPOINT names one, as `npm start` does.
const existing = process.env.PRG_DYNAMODB_ENDPOINT;
const db = existing ? { endpoint: existing, stop: async () => {} } : await startDynamoDbLocal();
let hb: Awaited<ReturnType<typeof benchHeartbeats>>;
let sw: Awaited<ReturnType<typeof benchSweep>>;
try {
  hb = await benchHeartbeats(db.endpoint, `bench-${randomUUID().slice(0, 8)}`);
  sw = await benchSweep(
    db.endpoint,
    `sweep-${randomUUID().slice(0, 8)}`,
    Number(process.env.BENCH_SWEEP_GROUPS ?? 50_000),
  );
} finally {
  await db.stop();
}
figures.steadyHeartbeatWcu = hb.wcuPerBeat;
figures.steadyHeartbeatRcu = hb.rcuPerBeat;
figures.steadyHeartbeatDynamoDbCalls = hb.callsPerBeat;
figures.steadyHeartbeatItemWcu = hb.itemWcu;
figures.heartbeatP50Ms = hb.p50Ms;
figures.heartbeatP95Ms = hb.p95Ms;
figures.heartbeatHandlerMeanMs = hb.handlerMeanMs;
figures.rawUpdateItemMeanMs = hb.rawUpdateMeanMs;
figures.heartbeatThroughputVsRawUpdateItem = hb.throughputRatio;
figures.wireUpdateItemMeanMs = hb.wireUpdateMeanMs;
figures.heartbeatThroughputVsWireUpdateItem = hb.throughputRatioVsWire;
figures.functionLogBytesPerHeartbeat = hb.functionLogBytesPerBeat;
results.push(
  {
    what: `steady heartbeat: write units each (${hb.beats} beats, 2 simulated hours)`,
    measured: fmt(hb.wcuPerBeat),
    goal: '≤ 1.05',
    ok: hb.wcuPerBeat <= 1.05,
  },
  {
    what: 'steady heartbeat: read units each',
    measured: fmt(hb.rcuPerBeat),
    goal: '≤ 0.55',
    ok: hb.rcuPerBeat <= 0.55,
  },
  {
    what: "steady heartbeat: the write's own units (item ≤ 1 KB)",
    measured: fmt(hb.itemWcu, 1),
    goal: '1',
    ok: hb.itemWcu <= 1,
  },
  {
    what: 'steady heartbeat: DynamoDB calls each',
    measured: fmt(hb.callsPerBeat),
    goal: '≈ 1 (one write; a parameter read when the cache expires)',
    ok: hb.callsPerBeat <= 1.6,
  },
  {
    what: 'steady heartbeat via handler + DynamoDB Local: p50 / p95 ms',
    measured: `${fmt(hb.p50Ms, 1)} / ${fmt(hb.p95Ms, 1)}`,
    goal: 'p95 < 50',
    ok: hb.p95Ms < 50,
  },
  {
    what: `handler vs raw UpdateItem, sequential (${fmt(hb.handlerMeanMs, 2)} vs ${fmt(hb.rawUpdateMeanMs, 2)} ms)`,
    measured: fmt(hb.throughputRatio, 2),
    goal: '≥ 0.8',
    ok: hb.throughputRatio >= 0.8,
  },
  {
    what: `handler vs the same UpdateItem over its own client (${fmt(hb.wireUpdateMeanMs, 2)} ms): what it adds`,
    measured: fmt(hb.throughputRatioVsWire, 2),
    goal: '(for reference)',
    ok: true,
  },
  {
    what: 'steady heartbeat: bytes the function logs each',
    measured: fmt(hb.functionLogBytesPerBeat, 1),
    goal: '0',
    ok: hb.functionLogBytesPerBeat === 0,
  },
);

figures.sweepGroups = sw.groups;
figures.sweepDueGroups = sw.visited;
figures.sweepLoadSeconds = sw.loadSeconds;
figures.sweepIdleReadUnits = sw.idleReadUnits;
figures.sweepIdleMs = sw.idleMs;
figures.sweepReadUnits = sw.readUnits;
figures.sweepReadsPerDueGroup = sw.readsPerDueGroup;
figures.sweepMs = sw.sweepMs;
results.push(
  {
    what: `sweep over ${sw.groups.toLocaleString('en')} groups, nothing due: read units / ms`,
    measured: `${fmt(sw.idleReadUnits, 1)} / ${fmt(sw.idleMs, 0)}`,
    goal: `${SWEEP_SHARDS * 2} queries, whatever the fleet`,
    ok: sw.idleReadUnits <= SWEEP_SHARDS * 2,
  },
  {
    what: `sweep, ${sw.visited} due: read units per due group`,
    measured: fmt(sw.readsPerDueGroup, 2),
    goal: '≤ 3 (not O(fleet))',
    ok: sw.readsPerDueGroup <= 3 && sw.visited === sw.due,
  },
  {
    what: `sweep, ${sw.visited} due: duration ms`,
    measured: fmt(sw.sweepMs, 0),
    goal: '< 60,000 (the sweep period)',
    ok: sw.sweepMs < 60_000,
  },
);

const bundles = await measureBundles(root);
figures.largestBundleKiB = bundles.largestKiB;
figures.heartbeatBundleKiB = bundles.kib.heartbeat;
figures.heartbeatColdImportMs = bundles.heartbeatColdImportMs;
figures.heartbeatBundleOwnImportMs = bundles.heartbeatOwnImportMs;
figures.heartbeatSdkImportMs = bundles.heartbeatSdkImportMs;
figures.heartbeatStaticImports = bundles.heartbeatStaticImports.join(' ');
results.push(
  {
    what: `largest Lambda bundle, KiB (${Object.entries(bundles.kib)
      .map(([id, kib]) => `${id} ${kib.toFixed(0)}`)
      .join(', ')})`.slice(0, 60),
    measured: fmt(bundles.largestKiB, 1),
    goal: '≤ 250',
    ok: bundles.largestKiB <= 250,
  },
  {
    what: 'heartbeat bundle alone (AWS SDK already loaded): import ms',
    measured: fmt(bundles.heartbeatOwnImportMs, 0),
    goal: '(its share of the cold import)',
    ok: true,
  },
  {
    what: 'heartbeat: the AWS SDK packages it loads at once (the marshaller), alone, ms',
    measured: fmt(bundles.heartbeatSdkImportMs, 0),
    goal: '(the floor of the cold import)',
    ok: true,
  },
  {
    what: 'heartbeat bundle: cold import in a new process, SDK included, ms (median of 5)',
    measured: fmt(bundles.heartbeatColdImportMs, 0),
    goal: '≤ 150',
    ok: bundles.heartbeatColdImportMs <= 150,
  },
);

// Cost at the defaults. The access log line a heartbeat writes, in the stack's own format
// (ACCESS_LOG_FIELDS), with the values API Gateway puts in for one ('-' for empty ones).
const { ACCESS_LOG_FIELDS, ACCESS_LOG_CLASS } = await import('../../lib/constructs/api');
const { PLATFORM_LOG_LEVEL } = await import('../../lib/constructs/project-function');
const heartbeatContext: Record<string, string> = {
  '$context.requestId': 'QWERTYuiopASDFg=',
  '$context.identity.sourceIp': '203.0.113.10',
  '$context.routeKey': 'POST /v1/nodes/{nodeId}/heartbeat',
  '$context.status': '200',
  '$context.responseLatency': '9',
  '$context.integrationLatency': '7',
  '$context.responseLength': String(Math.round(hb.responseBytes)),
};
const accessLogLine = JSON.stringify(
  Object.fromEntries(Object.entries(ACCESS_LOG_FIELDS).map(([k, v]) => [k, heartbeatContext[v] ?? '-'])),
);
figures.accessLogBytesPerHeartbeat = accessLogLine.length + 1;
const fleetNodes = 100_000;
const sweepPerNode = sweepUsdPerMonthPerNode(fleetNodes, SWEEP_SHARDS, sw.idleMs, FUNCTIONS.sweep.memoryMiB);
const cost = costPerNodeMonth({
  intervalSeconds: DEFAULT_CLUSTER_PARAMETERS.keepAliveInterval,
  wcuPerBeat: hb.wcuPerBeat,
  rcuPerBeat: hb.rcuPerBeat,
  // Billed duration: the handler's own work (its time over the faster of the two raw
  // UpdateItems, so the larger share) plus its DynamoDB calls at in-region latency.
  lambdaMs:
    Math.max(0, hb.handlerMeanMs - Math.min(hb.rawUpdateMeanMs, hb.wireUpdateMeanMs)) +
    hb.callsPerBeat * IN_REGION_DYNAMODB_CALL_MS,
  lambdaMemoryMiB: FUNCTIONS.heartbeat.memoryMiB,
  functionLogBytesPerBeat: hb.functionLogBytesPerBeat,
  accessLogBytesPerBeat: accessLogLine.length + 1,
  accessLogClass: ACCESS_LOG_CLASS === 'INFREQUENT_ACCESS' ? 'INFREQUENT_ACCESS' : 'STANDARD',
  // Lambda's START/END/REPORT lines (about 300 bytes) are written only below WARN.
  platformLogBytesPerBeat: PLATFORM_LOG_LEVEL === 'WARN' ? 0 : 300,
  sweepUsdPerMonthPerNode: sweepPerNode,
});
figures.costPerNodeMonthUsd = cost.totalUsd;
figures.pricesAsOf = PRICES.asOf;
for (const line of cost.lines) figures[`cost ${line.what}`] = line.usd;
results.push({
  what: `cost per node-month at 15 s (prices of ${PRICES.asOf}), USD`,
  measured: fmt(cost.totalUsd, 4),
  goal: '≤ 0.35',
  ok: cost.totalUsd <= 0.35,
});

// The hostile-input flood (test/bench/flood.ts): forged heartbeat tokens against real nodes.
if (existsSync(new URL('./flood.ts', import.meta.url))) {
  try {
    const { benchFlood } = (await import(String(new URL('./flood.ts', import.meta.url)))) as {
      benchFlood: () => Promise<{ dynamoCallsPerForged: number; baselineP95Ms: number; floodP95Ms: number }>;
    };
    const flood = await benchFlood();
    figures.floodDynamoDbCallsPerForgedRequest = flood.dynamoCallsPerForged;
    figures.floodP95Ratio = flood.floodP95Ms / flood.baselineP95Ms;
    results.push({
      what: 'flood of forged tokens: DynamoDB calls per forged request / p95 ratio',
      measured: `${fmt(flood.dynamoCallsPerForged, 2)} / ${fmt(figures.floodP95Ratio, 2)}`,
      goal: '0 / small',
      ok: flood.dynamoCallsPerForged === 0,
    });
  } catch (error) {
    process.stderr.write(`The flood measurement failed: ${String(error)}\n`);
  }
}

const heapMiB = process.memoryUsage().heapUsed / 1024 / 1024;
results.push({
  what: 'heap used after the runs, MiB',
  measured: heapMiB.toFixed(0),
  goal: '< 512',
  ok: heapMiB < 512,
});

const width = Math.max(...results.map((r) => r.what.length));
for (const r of results) {
  print(`${r.ok ? 'ok  ' : 'MISS'}  ${r.what.padEnd(width)}  ${r.measured.padStart(14)}   goal ${r.goal}\n`);
}
print('\ncost per node-month:\n');
for (const line of cost.lines) print(`  ${line.what.padEnd(48)} $${line.usd.toFixed(4)}\n`);
if (process.argv.includes('--json')) {
  // The last line, for scripts: every figure this run measured.
  print(`${JSON.stringify(figures)}\n`);
}
process.exit(results.every((r) => r.ok) ? 0 : 1);
