import { fileURLToPath } from 'node:url'
import { OptionError } from '@testcell/core'
import type { Plugin } from 'vite'
import type { TestProject, Vitest } from 'vitest/node'
import { type ContainerPluginOptions, validateOptions } from './options.js'
import { containerPool } from './pool/container-pool.js'
import { projectMaxWorkers } from './pool/max-workers.js'
import { PROJECT_POOLS, type ProjectPool } from './pool/vitest-workers.js'
import { MemoryReporter } from './reporter.js'
import { closeWarmContainers, drainWarmContainers } from './warm/registry.js'

export type { ContainerPluginOptions, VolumeOption } from './options.js'
export { type ContainerPoolOptions, containerPool } from './pool/container-pool.js'

const SNAPSHOT_ENVIRONMENT = fileURLToPath(new URL('./snapshot.js', import.meta.url))
const MEMORY_SIGNALS = fileURLToPath(new URL('./memory/worker-signals.js', import.meta.url))
const reporterAdded = new WeakSet<Vitest>()
const lifecycleAdded = new WeakSet<Vitest>()

/**
 * `plugins: [container({ memory: '256MiB' })]`: installs the container pool in every project that has the
 * plugin, so files with `environment: 'container'` run each in a throwaway container while the project's
 * other files keep their own pool, and adds the memory reporter. Options are validated here; the host is
 * only checked when a container file starts.
 */
export function container(options: ContainerPluginOptions = {}): Plugin {
  const defaults = validateOptions(options, 'container() options')
  return {
    name: 'vitest-environment-container',
    configureVitest({ project, vitest }: { project: TestProject; vitest: Vitest }) {
      const config = project.config
      if (config.browser?.enabled) return // browser files never reach a custom pool
      if (config.pool !== 'container') {
        config.poolRunner = containerPool({ ...defaults, fallbackPool: projectPool(config.pool) })
        config.pool = 'container'
      }
      keepFilesApart(project, vitest)
      config.snapshotEnvironment ??= SNAPSHOT_ENVIRONMENT
      // First, so each test's window also covers the project's own beforeEach and afterEach hooks.
      if (defaults.testPeaks !== false && !config.setupFiles.includes(MEMORY_SIGNALS)) config.setupFiles.unshift(MEMORY_SIGNALS)
      if (!lifecycleAdded.has(vitest)) {
        lifecycleAdded.add(vitest)
        // Warm containers that no file took are ended with the run; none outlives Vitest.
        vitest.config.reporters.push({ onTestRunEnd: () => drainWarmContainers(vitest) } as never)
        vitest.onClose(() => closeWarmContainers(vitest))
      }
      if (defaults.reporter !== false && !reporterAdded.has(vitest)) {
        reporterAdded.add(vitest)
        vitest.config.reporters.push(new MemoryReporter({ warnAt: defaults.warnAt, report: defaults.report, history: defaults.history }) as never)
      }
    },
  } as Plugin
}

function projectPool(pool: string): ProjectPool {
  if ((PROJECT_POOLS as readonly string[]).includes(pool)) return pool as ProjectPool
  throw new OptionError('pool', pool, `one of ${PROJECT_POOLS.join(', ')} (container() keeps it for the project's files that do not run in containers)`, {
    source: 'the Vitest config',
  })
}

/**
 * Without isolation and with a single worker, Vitest sends several test files in one run request, which
 * would run them in one container. Only then the project gets `isolate: true` back, and the log says so.
 */
function keepFilesApart(project: TestProject, vitest: Vitest): void {
  const config = project.config
  if (config.isolate !== false || projectMaxWorkers(project, vitest) !== 1) return
  config.isolate = true
  vitest.logger.warn(
    `[vitest-environment-container] project "${project.name || 'default'}": isolate: false with a single worker would run several test files ` +
      'in one container, so this project runs with isolate: true (put container files in a project of their own to keep isolate: false for the others)',
  )
}
