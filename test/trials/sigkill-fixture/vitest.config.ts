import { defineConfig } from 'vitest/config'
import { container } from 'vitest-environment-container/plugin'

// The SIGKILL trial's project (test/trials/sigkill.mjs): container files with a memory budget, so every
// container has a cgroup, and two at a time, so start-up, test runs and teardown interleave.
export default defineConfig({
  cacheDir: process.env.TESTCELL_TRIAL_CACHE ?? 'node_modules/.vite',
  plugins: [container({ memory: '128MiB', reporter: false })],
  test: { environment: 'container', maxWorkers: 2 },
})
