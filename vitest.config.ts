import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Resolve @portcullis/sdk-plugin to its TypeScript source in tests;
    // plugin isolates still load the built runtime (see test/global-setup.ts).
    conditions: ['source'],
  },
  ssr: {
    resolve: { conditions: ['source'], externalConditions: ['source'] },
  },
  test: {
    include: ['test/**/*.test.ts', 'sdk-plugin/src/**/*.test.ts', 'plugins/*/test/**/*.test.ts', 'plugins/*/*.test.ts', 'sdk-plugin/example/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Removes each test file's temp folders once the file is done.
    setupFiles: ['test/setup-cleanup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
