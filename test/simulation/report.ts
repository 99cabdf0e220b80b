import type { SeedResult, Summary } from './simulator';

/** A failing seed as an operator of the simulator reads it: what broke, then the trace. */
export function describeFailure(result: SeedResult, traceLines = 80): string {
  const broken = result.violations.map((v) => `  ${(v.at / 1000).toFixed(3)} s ${v.kind}: ${v.detail}`);
  const last = result.violations.at(-1)?.at ?? result.durationMs;
  // The trace up to the last violation, and a little after it.
  const upTo = result.trace.filter((line) => Number.parseFloat(line) * 1000 <= last + 3_000);
  return [
    `seed ${result.seed}: ${result.violations.length} violation(s), ${result.doubleServingMs} ms served by two nodes`,
    ...broken,
    `  replay: ${result.durationOption === null ? '' : `SIM_DURATION_MS=${result.durationOption} `}SIM_SEED=${result.seed} npx vitest run --project unit test/simulation`,
    '  trace (last lines):',
    ...upTo.slice(-traceLines).map((line) => `    ${line}`),
  ].join('\n');
}

/** The figures the soak prints, one per line. */
export function describeSummary(summary: Summary, elapsedMs: number): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return [
    `seeds run:                    ${summary.seeds}`,
    `invariant violations:         ${summary.violations} (failing seeds: ${summary.failingSeeds.slice(0, 20).join(', ') || 'none'}${summary.failingSeeds.length > 20 ? ', …' : ''})`,
    `worst double-serving time:    ${s(summary.worstDoubleServingMs)}`,
    `false failovers:              ${summary.falseFailovers}`,
    `stuck groups:                 ${summary.stuckGroups}`,
    `time with no node serving:    worst ${s(summary.worstUnservedMs)}, median ${s(summary.medianUnservedMs)} per seed`,
    `elapsed:                      ${s(elapsedMs)}`,
  ].join('\n');
}
