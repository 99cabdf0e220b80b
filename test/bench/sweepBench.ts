/**
 * The sweep at fleet scale: tens of thousands of HA pairs loaded into DynamoDB Local in
 * the item layout the adapter writes, 1 % of them silent as a whole (due), the rest
 * heard a moment ago. One sweep then runs through the real use case and adapters; what
 * it reads (read units, indexes included) per due group and how long it takes show that
 * its work follows the groups due, not the size of the fleet.
 */
import { performance } from 'node:perf_hooks';
import { BatchWriteCommand } from '../../lambdas/adapters/dynamodb/commands';
import {
  DEFAULT_CLUSTER_PARAMETERS,
  DEFAULT_CRITICAL_SERVICES,
  newGroup,
  nextTimerDueAt,
  pairSilentAt,
  transition,
  type GroupState,
} from '../../lambdas/core';
import { sweep } from '../../lambdas/app';
import { toGroupItem } from '../../lambdas/adapters/dynamodb/groupItem';
import { portsFrom } from '../../lambdas/handlers';
import { createTables } from '../../local/dynamodbLocal';
import { meteredDb } from './meter';

export interface SweepBenchFigures {
  groups: number;
  due: number;
  loadSeconds: number;
  /** A sweep when nothing is due: the fixed cost of querying every shard. */
  idleReadUnits: number;
  idleMs: number;
  /** The sweep that judged the due groups. */
  readUnits: number;
  readsPerDueGroup: number;
  sweepMs: number;
  visited: number;
}

const services = Object.fromEntries(DEFAULT_CRITICAL_SERVICES.map((s) => [s, 'running' as const]));

/** A steady HA pair whose nodes were last heard at `lastHeard`. */
function steadyPair(lastHeard: number): GroupState {
  const p = DEFAULT_CLUSTER_PARAMETERS;
  let now = lastHeard - 10 * 60_000;
  let g = newGroup('template', ['a', 'b']);
  const seq: Record<string, number> = { a: 0, b: 0 };
  const beat = (id: 'a' | 'b') => {
    g = transition(
      g,
      {
        type: 'Heartbeat',
        nodeId: id,
        heartbeat: { bootId: id, boot: 0, sequence: ++seq[id]!, services, database: 'up' },
      },
      now,
      p,
    ).group;
  };
  beat('a');
  beat('b');
  g = transition(g, { type: 'EnableHa' }, now, p).group;
  while (now < lastHeard) {
    now = Math.min(lastHeard, now + 7_500);
    beat(now % 15_000 === 0 ? 'a' : 'b');
  }
  return g;
}

export async function benchSweep(
  endpoint: string,
  prefix: string,
  groups: number,
): Promise<SweepBenchFigures> {
  const tables = await createTables(endpoint, prefix);
  const { db, meter } = meteredDb(endpoint);
  const params = DEFAULT_CLUSTER_PARAMETERS;
  const now = Date.UTC(2026, 0, 1, 12);
  const heard = steadyPair(now - 2_000);
  const silent = steadyPair(now - 15 * 60_000);
  const due = Math.max(1, Math.round(groups / 100));
  const every = Math.floor(groups / due);
  const itemOf = (i: number) => {
    const template = i % every === 0 ? silent : heard;
    const group = { ...template, name: `g-${String(i).padStart(6, '0')}` };
    const record = {
      group,
      clusterId: `c-${i % 1000}`,
      description: '',
      version: 1,
      tokens: { a: 'a'.repeat(64), b: 'b'.repeat(64) },
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    };
    return toGroupItem(record, {
      timerDueAt: nextTimerDueAt(group, params),
      silentAt: pairSilentAt(group, params),
    });
  };
  const t0 = performance.now();
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < groups; i += 25) {
    batches.push(Array.from({ length: Math.min(25, groups - i) }, (_, k) => itemOf(i + k)));
  }
  let next = 0;
  const writer = async () => {
    while (next < batches.length) {
      let items = batches[next++]!.map((Item) => ({ PutRequest: { Item } }));
      while (items.length > 0) {
        const out = await db.send(new BatchWriteCommand({ RequestItems: { [tables.groups]: items } }));
        items = (out.UnprocessedItems?.[tables.groups] ?? []) as typeof items;
      }
    }
  };
  await Promise.all(Array.from({ length: 6 }, writer));
  const loadSeconds = (performance.now() - t0) / 1000;

  let clock = now - 60 * 60_000;
  const ports = portsFrom({
    db,
    tables,
    workflows: { start: async () => {} },
    events: { publish: async () => {} },
    clock: { now: () => clock },
  });
  // An hour earlier nothing was due: what a sweep costs when there is nothing to do.
  meter.reset();
  let t1 = performance.now();
  const idle = await sweep(ports);
  const idleMs = performance.now() - t1;
  const idleReadUnits = meter.rcu;
  if (idle.visited !== 0) throw new Error(`The idle sweep visited ${idle.visited} groups; none was due.`);

  clock = now;
  meter.reset();
  t1 = performance.now();
  const report = await sweep(ports);
  const sweepMs = performance.now() - t1;
  return {
    groups,
    due,
    loadSeconds,
    idleReadUnits,
    idleMs,
    readUnits: meter.rcu,
    readsPerDueGroup: meter.rcu / Math.max(1, report.visited),
    sweepMs,
    visited: report.visited,
  };
}
