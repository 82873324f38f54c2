import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/redis-global-setup.ts', 'test/support/build-global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Two files at a time: most specs wait on processes, sockets and Redis rather than the CPU, so two side by side
    // take 5 to 6 minutes where one at a time (Vitest's default on 2 cores) took 9.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
