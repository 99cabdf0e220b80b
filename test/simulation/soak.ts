import { describeFailure, describeSummary } from './report';
import { runSeeds } from './simulator';

/**
 * `npm run soak` (after the fuzz soak): SIM_SEEDS seeds of the partition simulator with
 * the full-length scenarios, from SIM_FROM (default 1). Prints the figures docs/safety.md
 * quotes and the first failing seeds' traces; exits 1 on any violation or stuck group.
 */
const from = Number(process.env.SIM_FROM ?? 1);
const count = Number(process.env.SIM_SEEDS ?? 100_000);
const started = performance.now();
let printed = 0;
const summary = await runSeeds(
  from,
  count,
  (result) => {
    if (printed++ < 3) process.stdout.write(`${describeFailure(result)}\n\n`);
  },
  {},
  (so) => {
    if (so.seeds % 1_000 === 0)
      process.stdout.write(
        `… ${so.seeds} seeds, ${so.violations} violations (${so.failingSeeds.length} seeds), ${so.stuckGroups} stuck, ${Math.round((performance.now() - started) / 1000)} s\n`,
      );
  },
);
process.stdout.write(
  `partition simulator (seeds ${from}…${from + count - 1}):\n${describeSummary(summary, performance.now() - started)}\n`,
);
process.exitCode = summary.violations > 0 || summary.stuckGroups > 0 ? 1 : 0;
