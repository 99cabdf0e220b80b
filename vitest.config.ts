import { defineConfig } from 'vitest/config';

/** The projects run first, side by side: every one of a group must say the same worker count. */
const FIRST = { maxWorkers: 2, sequence: { groupOrder: 0 } };

export default defineConfig({
  test: {
    // Inherited by every project (they extend this config); `include` and `globalSetup`
    // are per project, since arrays would be merged rather than replaced.
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true', POWERTOOLS_DEV: 'false' },
    // Bounded: no test may hang CI.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two files at a time first (vitest would run one on 2 cores, and most files wait on
    // DynamoDB Local or esbuild rather than on the CPU); then the end-to-end scenarios, one
    // file at a time, because their agents and browser run on timers of a few seconds.
    projects: [
      {
        // The fast layer: the core, the use cases over in-memory ports, the agent's logic.
        // No Java, no DynamoDB Local, no bundling: `npm run test:unit`.
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/simulation/**/*.test.ts'],
          ...FIRST,
        },
      },
      {
        // The AWS stack synthesized (esbuild bundles every function) and the ASL workflows
        // run by aws-local-stepfunctions: no Java either, but tens of seconds of bundling.
        test: { name: 'stack', include: ['test/stack/**/*.test.ts'], ...FIRST },
      },
      {
        // Real DynamoDB (Local): the handlers, the DynamoDB adapters, the pair's workflows.
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // One DynamoDB Local per project; each file creates its own tables in it.
          globalSetup: ['test/support/globalSetup.ts'],
          ...FIRST,
        },
      },
      {
        // Real processes end to end: prg and prg-agent against the embedded default, and
        // the console in a real headless Chromium (test/browser).
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts', 'test/browser/**/*.test.ts'],
          globalSetup: ['test/support/globalSetup.ts'],
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
    coverage: {
      provider: 'v8',
      include: ['lambdas/core/**/*.ts'],
      reporter: ['text-summary', 'text'],
      // The domain core is where every decision is made; keep it fully exercised.
      thresholds: { lines: 95, statements: 95, functions: 95, branches: 90 },
    },
  },
});
