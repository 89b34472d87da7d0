import { fileURLToPath } from 'node:url'
import type { Plugin } from 'vite'
import type { TestProject, Vitest } from 'vitest/node'
import { type ContainerPluginOptions, validateOptions } from './options.js'
import { containerPool } from './pool/container-pool.js'
import { MemoryReporter } from './reporter.js'

export type { ContainerPluginOptions } from './options.js'
export { type ContainerPoolOptions, containerPool } from './pool/container-pool.js'

const SNAPSHOT_ENVIRONMENT = fileURLToPath(new URL('./snapshot.js', import.meta.url))
const reporterAdded = new WeakSet<Vitest>()

/**
 * `plugins: [container({ memory: '256MiB' })]`: installs the container pool in every project that has the
 * plugin, so files with `environment: 'container'` run each in a throwaway container, and adds the memory
 * reporter. Options are validated here; the host is only checked when a container file starts.
 */
export function container(options: ContainerPluginOptions = {}): Plugin {
  const defaults = validateOptions(options, 'container() options', process.cwd())
  return {
    name: 'vitest-environment-container',
    configureVitest({ project, vitest }: { project: TestProject; vitest: Vitest }) {
      const config = project.config
      const fallbackPool = config.pool === 'threads' ? 'threads' : 'forks'
      if (config.pool !== 'container') {
        config.poolRunner = containerPool({ ...defaults, fallbackPool })
        config.pool = 'container'
      }
      // A worker is never reused across container files, and a run request never carries two files.
      config.isolate = true
      config.snapshotEnvironment ??= SNAPSHOT_ENVIRONMENT
      if (defaults.reporter !== false && !reporterAdded.has(vitest)) {
        reporterAdded.add(vitest)
        vitest.config.reporters.push(new MemoryReporter() as never)
      }
    },
  } as Plugin
}
