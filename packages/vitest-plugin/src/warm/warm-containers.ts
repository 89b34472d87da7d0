import { availableParallelism } from 'node:os'
import { type Container, type ContainerOptions, createContainer } from '@testcell/core'
import { handOverKey, limitsOf } from './hand-over.js'

export interface WarmContainersOptions {
  /** How many containers run at once (Vitest's maxWorkers). */
  maxWorkers: number
  /** CPUs this machine offers. */
  cores?: number
  /** Starts a container; `createContainer` unless a test says otherwise. */
  start?: (options: ContainerOptions) => Container | Promise<Container>
}

/** A warm container: its start may still be under way (an image being prepared, a launcher spawning). */
interface Warm {
  key: string
  container: Promise<Container | null>
  /** Set once started; null while starting or when it could not start. */
  ready: Container | null
}

/**
 * Containers started before a file asks for one: launcher, namespaces, cgroup, and Node with Vitest's worker
 * loaded, waiting for Vitest's `start` message. A file whose container options match takes one and gets its
 * memory and pids limits at hand-over; nothing of one file is ever seen by another, since a warm container has
 * run no test code and is used once. How many are kept warm follows the cores Vitest leaves idle (cores beyond
 * maxWorkers) and never exceeds maxWorkers: with as many workers as cores there is no idle core, and warming
 * would only compete with the files running.
 */
export class WarmContainers {
  private idle: Warm[] = []
  private readonly busy = new Set<Container>()
  private readonly cores: number
  private readonly start: (options: ContainerOptions) => Container | Promise<Container>
  private wanted: ContainerOptions | null = null
  private closed = false

  constructor(private readonly options: WarmContainersOptions) {
    this.cores = options.cores ?? availableParallelism()
    this.start = options.start ?? createContainer
  }

  /** A warm container for a file with these options, its limits set; null when none matches. */
  async take(options: ContainerOptions): Promise<Container | null> {
    const key = handOverKey(options)
    for (let warm = this.next(key); warm; warm = this.next(key)) {
      const container = await warm.container
      if (!container || container.ended) continue
      try {
        container.setLimits(limitsOf(options))
      } catch {
        // It cannot take these limits (e.g. no cgroup): the file gets a fresh container, which says why.
        void container[Symbol.asyncDispose]()
        return null
      }
      return container
    }
    return null
  }

  /** A file's container (warm or fresh) is in use: it holds a core until its file is done (or it ends). */
  inUse(container: Container): void {
    this.busy.add(container)
    void container.result.catch(() => undefined).finally(() => this.release(container))
  }

  /** The file of this container is done: its teardown does not count as a core in use. */
  release(container: Container): void {
    if (this.busy.delete(container)) this.refill()
  }

  /** Keeps containers with these options (the project's defaults) ready, as many as the idle cores allow. */
  keepWarm(options: ContainerOptions): void {
    this.wanted = options
    this.refill()
  }

  /** Ends every container that no file took (end of a run). Later runs start warming again. */
  async drain(): Promise<void> {
    const waiting = this.idle
    this.idle = []
    this.wanted = null
    await Promise.all(waiting.map(async (warm) => (await warm.container)?.[Symbol.asyncDispose]()))
  }

  /** No more warming at all (Vitest closes). */
  async close(): Promise<void> {
    this.closed = true
    await this.drain()
  }

  /** How many are warm or warming now (for tests and diagnostics). */
  get warmCount(): number {
    return this.live().length
  }

  private next(key: string): Warm | undefined {
    const index = this.idle.findIndex((warm) => warm.key === key && !warm.ready?.ended)
    return index < 0 ? undefined : this.idle.splice(index, 1)[0]
  }

  private live(): Warm[] {
    this.idle = this.idle.filter((warm) => !warm.ready?.ended)
    return this.idle
  }

  private refill(): void {
    const wanted = this.wanted
    if (!wanted || this.closed) return
    const idle = this.cores - Math.max(this.options.maxWorkers, this.busy.size)
    const target = Math.max(0, Math.min(this.options.maxWorkers, idle))
    for (let count = this.live().length; count < target; count++) {
      const warm: Warm = { key: handOverKey(wanted), container: Promise.resolve(null), ready: null }
      // A container that cannot start is left out; each file's own start then says why.
      warm.container = Promise.resolve()
        .then(() => this.start(wanted))
        .then(
          (container) => (warm.ready = container),
          () => null,
        )
      this.idle.push(warm)
    }
  }
}
