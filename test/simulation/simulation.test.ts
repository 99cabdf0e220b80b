import { beforeAll, describe, expect, it } from 'vitest';
import { describeFailure, describeSummary } from './report';
import { runSeeds, simulate, type Summary } from './simulator';

/**
 * The partition simulator (docs/safety.md, "Simulator"): seeds 1…SIM_SEEDS (1,000 by
 * default) each play one group through partitions, outages, crashes, slow commands, timer
 * changes and admin actions, with the real core and the real agents. `SIM_SEED=<n>`
 * replays one seed and prints its whole trace (with `SIM_DURATION_MS=30000` for a seed of
 * this test's shorter runs, as its failure message says).
 */
const replay = process.env.SIM_SEED === undefined ? null : Number(process.env.SIM_SEED);
const seeds = Number(process.env.SIM_SEEDS ?? 1_000);

describe('issue 9: the partition simulator', () => {
  let summary: Summary | null = null;
  const failures: string[] = [];
  beforeAll(async () => {
    if (replay !== null) return;
    const started = performance.now();
    // Shorter fault periods than the soak's, so that a thousand seeds stay within the test's bounds.
    summary = await runSeeds(1, seeds, (r) => void failures.push(describeFailure(r, 40)), {
      durationMs: 30_000,
    });
    console.log(describeSummary(summary, performance.now() - started));
  }, 600_000);

  it.runIf(replay === null)(
    `no group is stuck in a transition past its deadline, over ${seeds} seeds`,
    () => {
      expect(summary?.seeds).toBe(seeds);
      expect(summary?.stuckGroups).toBe(0);
    },
  );

  // Every move of users away from a node waits until that node has acknowledged the
  // decision or has surely fenced (docs/safety.md, "Moves wait for the node they leave").
  it.runIf(replay === null)(`no user is ever served by two nodes, over ${seeds} seeds`, () => {
    expect(failures.slice(0, 3).join('\n\n')).toBe('');
  });

  it.runIf(replay !== null)(`replays seed ${replay}`, async () => {
    const duration = process.env.SIM_DURATION_MS;
    const result = await simulate(replay ?? 0, {
      fullTrace: true,
      ...(duration === undefined ? {} : { durationMs: Number(duration) }),
    });
    console.log(describeFailure(result, Number.MAX_SAFE_INTEGER));
    expect(result.violations).toEqual([]);
  });

  it('a seed is deterministic: the same seed twice gives the same trace and figures', async () => {
    const a = await simulate(7, { fullTrace: true });
    const b = await simulate(7, { fullTrace: true });
    expect(b.trace).toEqual(a.trace);
    expect(b.unservedMs).toBe(a.unservedMs);
    expect(a.trace.length).toBeGreaterThan(50);
  });
});
