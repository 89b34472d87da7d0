import { defineConfig } from 'vitest/config'

// Our own tests. Unit tests are pure; integration tests start real containers (root or rootless).
export default defineConfig({
  // The rootless run cannot write into a root-owned checkout: scripts/test.mjs points the cache elsewhere.
  cacheDir: process.env.TESTCELL_CACHE_DIR ?? 'node_modules/.vite',
  test: {
    projects: [
      // test/fake-launcher: a launcher stand-in that speaks the protocol, for state machines without root.
      { test: { name: 'unit', include: ['packages/*/src/**/*.test.ts', 'test/fake-launcher/**/*.test.ts'] } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'escape',
          include: ['test/escape/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'images',
          include: ['test/images/*.test.ts'],
          globalSetup: ['test/images/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 600_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['test/browser/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 600_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/*.test.ts'],
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
})
