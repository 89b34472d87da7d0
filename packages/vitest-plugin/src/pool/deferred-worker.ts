import { type Container, type ContainerOptions, createContainer, heapLimitFromFlags } from '@testcell/core'
import type { PoolOptions, PoolWorker, WorkerRequest } from 'vitest/node'
import { fileContainerOptions, memoryLimitOf } from '../launch/file-container.js'
import { applyMemoryMeta } from '../memory/apply-meta.js'
import type { MemoryOptions } from '../memory/meta.js'
import { isMemorySignal } from '../memory/signals.js'
import { FileMemoryWatch } from '../memory/watch.js'
import { type ContainerPluginOptions, type FileOptions, fileOptions } from '../options.js'
import { WORKER_MARK } from '../side-channel.js'
import { takeSnapshotRequest } from '../snapshot-writes/host-writes.js'
import { warmContainersOf } from '../warm/registry.js'
import { ContainerPoolWorker } from './container-worker.js'
import { hostSupport } from './host-support.js'
import { markUnfinishedFileFailed } from './unfinished-file.js'
import { describeEnd } from './verdict.js'
import { compat } from './vitest-compat.js'
import { type ProjectPool, vitestWorker } from './vitest-workers.js'

type Listener = (...args: any[]) => void

/**
 * The worker of one container file. Vitest creates it synchronously; the file's options and whether this host
 * can run containers are only known in `start()`, which then starts the real worker: a ContainerPoolWorker,
 * or (onUnsupported: 'warn' on a host that cannot) Vitest's own forks or threads worker.
 */
export class DeferredContainerWorker implements PoolWorker {
  readonly name = 'container'
  readonly cacheFs = false
  private worker: PoolWorker | null = null
  private listeners: [string, Listener][] = []
  private container: Container | null = null

  constructor(
    private readonly pool: PoolOptions,
    private readonly defaults: ContainerPluginOptions,
    private readonly projectPool: ProjectPool,
  ) {}

  on(event: string, callback: Listener): void {
    if (this.worker) this.worker.on(event, callback)
    else this.listeners.push([event, callback])
  }

  off(event: string, callback: Listener): void {
    if (this.worker) this.worker.off(event, callback)
    else this.listeners = this.listeners.filter(([e, c]) => e !== event || c !== callback)
  }

  send(message: WorkerRequest): void {
    this.worker?.send(message)
  }

  deserialize(data: unknown): unknown {
    return this.worker ? this.worker.deserialize(data) : data
  }

  canReuse(): boolean {
    return false
  }

  async start(): Promise<void> {
    const docblock = (this.pool.environment.options as { container?: unknown } | null)?.container
    const options = fileOptions(this.defaults, this.configOptions(), docblock)
    const support = await hostSupport(options, this.pool.project.vitest.logger)
    this.worker = support === 'container' ? this.containerWorker(options) : this.fallbackWorker(options)
    for (const [event, callback] of this.listeners) this.worker.on(event, callback)
    this.listeners = []
    await this.worker.start()
  }

  async stop(): Promise<void> {
    if (this.container) warmContainersOf(this.pool.project).release(this.container)
    await this.worker?.stop()
  }

  private containerWorker(options: FileOptions): ContainerPoolWorker {
    const { project } = this.pool
    const { vitest, config } = project
    let launched: Container | null = null
    const watch = new FileMemoryWatch({
      limitBytes: memoryLimitOf(options),
      options: memoryOptions(options),
      heapLimit: heapLimitFromFlags(this.pool.execArgv, this.pool.env.NODE_OPTIONS ?? process.env.NODE_OPTIONS),
    })
    return new ContainerPoolWorker({
      root: config.root,
      logger: vitest.logger,
      compat,
      launch: async () => {
        const container = await this.launch(options)
        launched = container
        if (this.defaults.testPeaks !== false) watch.attach(container)
        container.process.stderr?.on('data', (chunk: Buffer) => watch.stderrChunk(chunk))
        container.result.then(
          () => watch.detach(),
          () => watch.detach(),
        )
        return container
      },
      takeSideMessage: (message, files) => {
        if (isMemorySignal(message)) {
          watch.signal(message)
          // The test waits for this: its window is open (a dying container's channel may be closed by now).
          if (message.__testcell__ === 'test' && message.event === 'start') launched?.process.send({ __testcell__: 'ack' }, () => {})
          return
        }
        takeSnapshotRequest(message, {
          testFiles: files,
          snapshotPath: (file) => vitest.snapshot.resolvePath(file, { config: project.serializedConfig }),
          root: config.root,
          report: (error) => vitest.state.catchError(error, 'Snapshot Write Refused'),
        })
      },
      recordMemory: (file, memory) => {
        const { file: meta, tests } = watch.meta(memory.peakBytes)
        applyMemoryMeta(vitest, file, meta, tests)
      },
      describeEnd: (result, file, cause) => describeEnd(watch, result, file, config.root, cause),
      ...(compat.failUnfinishedFile ? { onDeath: (file: string) => markUnfinishedFileFailed(vitest, file) } : {}),
    })
  }

  /**
   * The file's container: a warm one with the same options (the project's defaults, usually) when prewarming
   * is on, else a fresh one; then the next one for the project's defaults is started on an idle core.
   */
  private async launch(options: FileOptions): Promise<Container> {
    const containerOptions = this.containerOptions(options)
    if (this.defaults.prewarm === false) return createContainer(containerOptions)
    const warm = warmContainersOf(this.pool.project)
    const container = (await warm.take(containerOptions)) ?? (await createContainer(containerOptions))
    this.container = container
    warm.inUse(container)
    // Most files use the project's defaults: then their container options are the ones to keep warm.
    const defaults = fileOptions(this.defaults, this.configOptions(), undefined)
    warm.keepWarm(JSON.stringify(defaults) === JSON.stringify(options) ? containerOptions : this.containerOptions(defaults))
    return container
  }

  private containerOptions(options: FileOptions): ContainerOptions {
    const { config } = this.pool.project
    return fileContainerOptions({
      options,
      root: config.root,
      distPath: this.pool.distPath,
      execArgv: this.pool.execArgv,
      env: this.pool.env,
      coverage: config.coverage,
    })
  }

  private configOptions(): unknown {
    return (this.pool.project.config.environmentOptions as { container?: unknown })?.container
  }

  /** onUnsupported: 'warn': Vitest's own worker, marked so the container environment lets the file run. */
  private fallbackWorker(options: FileOptions): PoolWorker {
    const env = { ...this.pool.env, [WORKER_MARK]: 'fallback', ...options.env }
    return vitestWorker(this.projectPool === 'threads' ? 'threads' : 'forks', { ...this.pool, env })
  }
}

/** The options of a file that bear on its memory, for the history (not `env` or `volumes`: they may hold secrets). */
function memoryOptions(options: FileOptions): MemoryOptions {
  const picked: MemoryOptions = {}
  if (options.memory !== undefined) picked.memory = options.memory
  if (options.pidsLimit !== undefined) picked.pidsLimit = options.pidsLimit
  if (options.network !== undefined) picked.network = options.network
  return picked
}
