import { defineConfig } from 'vitest/config';

/** Specs that run the built CLI as processes (and Chromium): timing under faults, so one file at a time. */
const PROCESS_SPECS = ['test/e2e/**/*.test.ts', 'test/browser/**/*.test.ts', 'test/cli/**/*.test.ts'];

export default defineConfig({
  test: {
    globalSetup: ['test/support/redis-global-setup.ts', 'test/support/build-global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: ['default'],
    // In-process specs first, two files at a time (they wait on sockets and Redis more than on the CPU); then the
    // specs of processes, one file at a time, so a fault spec's timing never shares the 2 cores with another file.
    projects: [
      {
        extends: true,
        test: {
          name: 'in-process',
          include: ['test/**/*.test.ts'],
          exclude: PROCESS_SPECS,
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: 'processes', include: PROCESS_SPECS, fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
