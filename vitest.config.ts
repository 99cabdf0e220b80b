import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Inherited by every project (they extend this config); `include` and `globalSetup`
    // are per project, since arrays would be merged rather than replaced.
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true', POWERTOOLS_DEV: 'false' },
    // Bounded: no test may hang CI.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        // The fast layer: the core, the use cases over in-memory ports, the agent's logic.
        // No Java, no DynamoDB Local, no bundling: `npm run test:unit`.
        test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'test/simulation/**/*.test.ts'] },
      },
      {
        // The AWS stack synthesized (esbuild bundles every function) and the ASL workflows
        // run by aws-local-stepfunctions: no Java either, but tens of seconds of bundling.
        test: { name: 'stack', include: ['test/stack/**/*.test.ts'] },
      },
      {
        // Real DynamoDB (Local): the handlers, the DynamoDB adapters, the pair end to end.
        test: {
          name: 'integration',
          // test/browser: the console in a real headless Chromium against the embedded default.
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts', 'test/browser/**/*.test.ts'],
          // One DynamoDB Local for the run; each file creates its own tables in it.
          globalSetup: ['test/support/globalSetup.ts'],
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
