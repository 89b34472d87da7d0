import { availableParallelism } from 'node:os'
import { type Container, type ContainerOptions, startContainer } from '@testcell/core'
import { handOverKey, limitsOf } from './hand-over.js'

export interface WarmContainersOptions {
  /** How many containers run at once (Vitest's maxWorkers). */
  maxWorkers: number
  /** CPUs this machine offers. */
  cores?: number
  /** Starts a container; `startContainer` unless a test says otherwise. */
  start?: (options: ContainerOptions) => Container
}

/**
 * Containers started before a file asks for one: launcher, namespaces, cgroup, and Node with Vitest's worker
 * loaded, waiting for Vitest's `start` message. A file whose container options match takes one and gets its
 * memory and pids limits at hand-over; nothing of one file is ever seen by another, since a warm container has
 * run no test code and is used once. How many are kept warm follows the idle cores and never exceeds maxWorkers.
 */
export class WarmContainers {
  private readonly idle = new Map<string, Container[]>()
  private readonly busy = new Set<Container>()
  private readonly cores: number
  private readonly start: (options: ContainerOptions) => Container
  private wanted: ContainerOptions | null = null
  private closed = false

  constructor(private readonly options: WarmContainersOptions) {
    this.cores = options.cores ?? availableParallelism()
    this.start = options.start ?? startContainer
  }

  /** A warm container for a file with these options, its limits set; null when none matches. */
  take(options: ContainerOptions): Container | null {
    const list = this.idle.get(handOverKey(options)) ?? []
    for (let i = 0; i < list.length; i++) {
      const container = list[i]!
      if (container.ended) continue
      try {
        container.setLimits(limitsOf(options))
      } catch {
        return null // it cannot take these limits (e.g. no cgroup): the file gets a fresh container, which says why
      }
      list.splice(i, 1)
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
    const waiting = [...this.idle.values()].flat()
    this.idle.clear()
    this.wanted = null
    await Promise.all(waiting.map((container) => container[Symbol.asyncDispose]()))
  }

  /** No more warming at all (Vitest closes). */
  async close(): Promise<void> {
    this.closed = true
    await this.drain()
  }

  /** How many are warm now (for tests and diagnostics). */
  get warmCount(): number {
    return [...this.idle.values()].flat().filter((c) => !c.ended).length
  }

  private refill(): void {
    if (!this.wanted || this.closed) return
    const target = Math.max(0, Math.min(this.options.maxWorkers, this.cores - this.busy.size))
    const key = handOverKey(this.wanted)
    const list = this.idle.get(key) ?? []
    this.idle.set(
      key,
      list.filter((c) => !c.ended),
    )
    for (let warm = this.warmCount; warm < target; warm++) {
      let container: Container
      try {
        container = this.start(this.wanted)
      } catch {
        return // the defaults cannot start here; each file's own start says why
      }
      this.idle.get(key)!.push(container)
    }
  }
}
