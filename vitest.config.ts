import { defineConfig } from 'vitest/config';

// Three projects, as docs/testing.md explains: unit (pure, no I/O), integration
// (the app with fakes or real SQLite via app.inject), e2e (real Chromium, real gateway).
export default defineConfig({
  test: {
    // Fails the run when a process the tests started (Chromium, clamd, a gateway) outlives it.
    globalSetup: ['test/process-lifetime-check.ts'],
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 10_000 } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 90_000,
          hookTimeout: 120_000,
          // Real Chromium instances are heavy on a 2-core machine: one file at a time.
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
