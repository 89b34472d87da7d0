import type { PoolOptions, PoolRunnerInitializer, PoolWorker } from 'vitest/node'
import type { ContainerPluginOptions } from '../options.js'
import { DeferredContainerWorker } from './deferred-worker.js'
import { type ProjectPool, vitestWorker } from './vitest-workers.js'

export interface ContainerPoolOptions extends ContainerPluginOptions {
  /** The pool for files with other environments: the project's own (`forks` by default). */
  fallbackPool?: ProjectPool
}

/**
 * A Vitest pool that runs every `environment: 'container'` file in its own container and every other file
 * in the worker of the project's own pool (Vitest's classes, unchanged).
 */
export function containerPool(options: ContainerPoolOptions = {}): PoolRunnerInitializer {
  const { fallbackPool = 'forks', ...defaults } = options
  return {
    name: 'container',
    createPoolWorker(pool: PoolOptions): PoolWorker {
      if (pool.environment.name !== 'container') return vitestWorker(fallbackPool, pool)
      return new DeferredContainerWorker(pool, defaults, fallbackPool)
    },
  }
}
