import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One DynamoDB Local for the run; handler and integration tests create their own tables in it.
    globalSetup: ['test/support/globalSetup.ts'],
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true', POWERTOOLS_DEV: 'false' },
    // Bounded: no test may hang CI.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    coverage: {
      provider: 'v8',
      include: ['lambdas/core/**/*.ts'],
      reporter: ['text-summary', 'text'],
      // The domain core is where every decision is made; keep it fully exercised.
      thresholds: { lines: 95, statements: 95, functions: 95, branches: 90 },
    },
  },
});
