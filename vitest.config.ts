import { defineConfig } from 'vitest/config';

/** Unit tests sit beside the code; `test/` holds end-to-end suites that start real processes. */
export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    fileParallelism: true,
    setupFiles: ['./test/helpers/setup.ts'],
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    exclude: ['**/node_modules/**', 'var/**'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['{coordinator,agent,shared}/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
