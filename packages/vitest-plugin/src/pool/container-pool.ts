import { ForksPoolWorker, type PoolOptions, type PoolRunnerInitializer, type PoolWorker, ThreadsPoolWorker } from 'vitest/node'
import { type ContainerPluginOptions, fileOptions } from '../options.js'
import { ContainerPoolWorker } from './container-worker.js'
import { hostSupport } from './host-support.js'

export interface ContainerPoolOptions extends ContainerPluginOptions {
  /** The pool for files with other environments: the project's own (`forks` by default). */
  fallbackPool?: 'forks' | 'threads'
}

/**
 * A Vitest pool that runs every `environment: 'container'` file in its own container and every other file
 * exactly as the project's own pool would.
 */
export function containerPool(options: ContainerPoolOptions = {}): PoolRunnerInitializer {
  const { fallbackPool = 'forks', ...defaults } = options
  return {
    name: 'container',
    createPoolWorker(pool: PoolOptions): PoolWorker {
      if (pool.environment.name !== 'container') {
        return fallbackPool === 'threads' ? new ThreadsPoolWorker(pool) : new ForksPoolWorker(pool)
      }
      return new LazyContainerWorker(pool, defaults)
    },
  }
}

/** Resolves the file's options and the host's support before the real worker starts. */
class LazyContainerWorker implements PoolWorker {
  readonly name = 'container'
  readonly cacheFs = false
  private worker: ContainerPoolWorker | null = null
  private listeners: [string, (...args: any[]) => void][] = []

  constructor(
    private readonly pool: PoolOptions,
    private readonly defaults: ContainerPluginOptions,
  ) {}

  on(event: string, callback: (...args: any[]) => void): void {
    if (this.worker) this.worker.on(event, callback)
    else this.listeners.push([event, callback])
  }

  off(event: string, callback: (...args: any[]) => void): void {
    if (this.worker) this.worker.off(event, callback)
    else this.listeners = this.listeners.filter(([e, c]) => e !== event || c !== callback)
  }

  send(message: Parameters<PoolWorker['send']>[0]): void {
    this.worker!.send(message)
  }

  deserialize(data: unknown): unknown {
    return data
  }

  canReuse(): boolean {
    return false
  }

  async start(): Promise<void> {
    const config = this.pool.project.config
    const docblock = (this.pool.environment.options as { container?: unknown } | null)?.container
    const options = fileOptions(this.defaults, (config.environmentOptions as { container?: unknown })?.container, docblock, config.root)
    const support = await hostSupport(options, this.pool.project.vitest.logger)
    this.worker = new ContainerPoolWorker(this.pool, { options, fallback: support === 'fallback' })
    for (const [event, callback] of this.listeners) this.worker.on(event, callback)
    await this.worker.start()
  }

  async stop(): Promise<void> {
    await this.worker?.stop()
  }
}
