import { EventEmitter } from 'node:events'
import type { Container, ContainerResult } from '@testcell/core'
import type { PoolWorker, WorkerRequest } from 'vitest/node'
import { isSideMessage } from '../side-channel.js'
import { OutputPipe, type OutputStreams } from './output.js'
import { RequestLedger } from './requests.js'
import { ContainerKilledError, ContainerStartError, type EndDescription } from './verdict.js'
import type { VitestCompat } from './vitest-compat.js'

/** How long a worker may take to exit by itself after Vitest stopped it, or after its channel closed. */
const EXIT_GRACE_MS = 1000

/** What a container worker needs from its surroundings (Vitest's objects in the pool, fakes in unit tests). */
export interface ContainerWorkerContext {
  /** Project root, to name files in verdicts. */
  root: string
  /** Vitest's logger streams: the worker's stdout and stderr go there. */
  logger: OutputStreams
  /** Starts the file's container (preparing its image first); throws for bad options, a bad image or an unsupported host. */
  launch(): Container | Promise<Container>
  /** A side-channel message (a snapshot write) from the worker running `files`. */
  takeSideMessage(message: { __testcell__: unknown }, files: readonly string[]): void
  /** The container's peak memory so far (or at its end) while running `file`, and what killed it. */
  recordMemory(file: string, memory: { peakBytes: number | null; endedEarly?: string }): void
  /** Why the container ended before its work was done (`file`: the test file it was running, if any). */
  describeEnd(result: ContainerResult, file: string | undefined, cause: Error | undefined): EndDescription
  /** The container died while running `file`, for the Vitest-version shims that need to know. */
  onDeath?(file: string): void
  compat: VitestCompat
}

/**
 * One container file's worker: transport and lifecycle only. Vitest's messages go both ways over the IPC
 * channel the launcher carries into the container; side-channel messages go to the context. When the
 * container dies, the cause is reported through the PoolWorker `error` event, so Vitest's own handling
 * fails the file's task (where a Vitest version would not notice, `compat` says how to answer instead).
 */
export class ContainerPoolWorker implements PoolWorker {
  readonly name = 'container'
  readonly cacheFs = false
  private readonly events = new EventEmitter()
  private readonly ledger = new RequestLedger()
  private container: Container | null = null
  private output: OutputPipe | null = null
  private ending: Promise<void> | null = null
  private running = false
  private stopCalled = false
  private failure: Error | null = null
  private death: Error | null = null
  private deathReported = false
  private disconnectTimer: NodeJS.Timeout | null = null

  constructor(private readonly context: ContainerWorkerContext) {}

  on(event: string, callback: (...args: any[]) => void): void {
    this.events.on(event, callback)
  }

  off(event: string, callback: (...args: any[]) => void): void {
    this.events.off(event, callback)
  }

  deserialize(data: unknown): unknown {
    return data
  }

  canReuse(): boolean {
    return false
  }

  send(message: WorkerRequest): void {
    this.ledger.sent(message)
    if (this.death) {
      setImmediate(() => this.reportDeath())
      return
    }
    try {
      this.container?.process.send(message, (error) => error && this.onChannelError(error))
    } catch (error) {
      this.onChannelError(error as NodeJS.ErrnoException)
    }
  }

  async start(): Promise<void> {
    const container = await this.context.launch()
    this.container = container
    const child = container.process
    this.output = new OutputPipe(child, this.context.logger)
    child.on('message', (message: unknown) => this.onMessage(message))
    child.on('error', (error: NodeJS.ErrnoException) => this.onChannelError(error))
    child.on('disconnect', () => this.onDisconnect())
    this.ending = container.result.then(
      (result) => this.onEnd(result),
      (error: Error) => this.onEnd(null, error),
    )
    try {
      await container.started
    } catch (cause) {
      await this.ending
      throw new ContainerStartError('the container could not start', { cause })
    }
    this.running = true
  }

  async stop(): Promise<void> {
    this.stopCalled = true
    if (!this.ending) return
    const timer = setTimeout(() => this.container?.kill('SIGKILL'), EXIT_GRACE_MS)
    try {
      await this.ending
    } finally {
      clearTimeout(timer)
    }
  }

  private onMessage(message: unknown): void {
    if (isSideMessage(message)) {
      this.context.takeSideMessage(message, this.ledger.files)
      return
    }
    if (this.ledger.received(message) === 'testfileFinished') this.recordMemory({ peakBytes: this.container?.memoryUsage()?.peakMemoryBytes ?? null })
    this.events.emit('message', message)
  }

  /** The channel breaks when the container dies: its end tells the real story. Other errors end the container. */
  private onChannelError(error: NodeJS.ErrnoException): void {
    if (error?.code === 'EPIPE' || error?.code === 'ERR_IPC_CHANNEL_CLOSED') return
    this.failure ??= error
    this.container?.kill('SIGKILL')
  }

  /** The worker closed its channel: it has nothing more to say, so it must end soon. */
  private onDisconnect(): void {
    this.disconnectTimer = setTimeout(() => this.container?.kill('SIGKILL'), EXIT_GRACE_MS)
    this.disconnectTimer.unref()
  }

  private async onEnd(result: ContainerResult | null, setupError?: Error): Promise<void> {
    if (this.disconnectTimer) clearTimeout(this.disconnectTimer)
    await this.output?.close() // the tail of the worker's output is written before anything reports its end
    if (!this.running) return // start() reports why it never ran
    if (result && this.isExpectedEnd(result)) {
      this.recordMemory({ peakBytes: result.peakMemoryBytes })
      this.events.emit('exit', result.exitCode, result.signal)
      return
    }
    const file = this.ledger.files[0]
    const end = result ? this.context.describeEnd(result, file, this.failure ?? undefined) : null
    if (result) this.recordMemory({ peakBytes: result.peakMemoryBytes, endedEarly: end!.short })
    if (file) this.context.onDeath?.(file)
    this.death = end
      ? new ContainerKilledError(end.message, { cause: this.failure ?? undefined })
      : (setupError ?? new Error('the container ended without a result'))
    this.reportDeath()
  }

  /** Vitest stopped the worker, or the worker answered `stop` (or was answering it) and exited cleanly. */
  private isExpectedEnd(result: ContainerResult): boolean {
    if (this.failure) return false
    if (this.stopCalled || this.ledger.lastAnswer === 'stopped') return true
    return this.ledger.awaiting === 'stopped' && result.exitCode === 0
  }

  /**
   * Tells Vitest once that the worker died, in the way it listens for at this point: the `error` event while
   * a start or a run waits for its answer, or (per `compat`) an answer that carries the cause. With nothing
   * pending the death waits for Vitest's next request.
   */
  private reportDeath(): void {
    const death = this.death
    if (!death || this.deathReported) return
    const { compat } = this.context
    switch (this.ledger.awaiting) {
      case null:
        return
      case 'started':
        if (compat.answerStartOnDeath) this.answer('started', death)
        else this.emitError(death)
        break
      case 'testfileFinished':
        this.emitError(death)
        break
      case 'stopped':
        if (compat.answerStopOnDeath) this.answer('stopped', death)
        break
    }
    this.deathReported = true
  }

  /** Vitest listens while a request waits for its answer; an `error` nobody listens to would crash its process. */
  private emitError(error: Error): void {
    if (this.events.listenerCount('error') > 0) this.events.emit('error', error)
  }

  private answer(type: 'started' | 'stopped', error: Error): void {
    this.ledger.received({ __vitest_worker_response__: true, type })
    this.events.emit('message', { __vitest_worker_response__: true, type, error })
  }

  private recordMemory(memory: { peakBytes: number | null; endedEarly?: string }): void {
    const file = this.ledger.files[0]
    if (file) this.context.recordMemory(file, memory)
  }
}
