// `environment: 'container'` resolves to this module (vitest-environment-container). It runs inside the
// worker; the isolation itself comes from the pool the container() plugin installs.
const WORKER_MARK = 'TESTCELL_CONTAINER'

export default {
  name: 'container',
  viteEnvironment: 'ssr',
  setup() {
    if (process.env[WORKER_MARK] !== '1' && process.env[WORKER_MARK] !== 'fallback') {
      throw new Error(
        'environment "container" needs the container() plugin: add `plugins: [container()]` ' +
          "(import { container } from 'vitest-environment-container/plugin') to your Vitest config. " +
          'Without it this file would run without isolation, so it does not run.',
      )
    }
    return { teardown() {} }
  },
}
