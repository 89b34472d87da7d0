import { type ChildProcess, fork } from 'node:child_process'
import { EventEmitter } from 'node:events'
import { existsSync, mkdirSync, realpathSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Container, type ContainerOptions, type ContainerResult, checkMemory, startContainer } from '@testcell/core'
import type { PoolOptions, PoolWorker, WorkerRequest } from 'vitest/node'
import type { FileOptions } from '../options.js'
import { type ForwardedWrite, isForwardedWrite, WORKER_MARK } from '../side-channel.js'
import { markFileFailed, recordMemory } from './file-state.js'
import { applyWrite, refusal } from './forwarded-writes.js'
import { ContainerKilledError, describeDeath } from './verdict.js'

const WORKER_ENTRY = fileURLToPath(new URL('../worker.js', import.meta.url))
const STOP_GRACE_MS = 1000

type Awaiting = 'started' | 'testfileFinished' | 'stopped'
const RESPONSE_FOR: Partial<Record<string, Awaiting>> = { start: 'started', run: 'testfileFinished', collect: 'testfileFinished', stop: 'stopped' }

export interface WorkerSettings {
  options: FileOptions
  /** Run as a plain fork (onUnsupported: 'warn' on a host that cannot run containers). */
  fallback: boolean
}

/**
 * One container file's worker: Vitest's forks worker protocol, carried through the launcher's IPC channel.
 * When the container dies (memory limit, signal, failed start) it answers Vitest's pending request itself,
 * with the real cause, so no run hangs on a start timeout and the file is reported as failed.
 */
export class ContainerPoolWorker implements PoolWorker {
  readonly name = 'container'
  readonly cacheFs = false
  private readonly events = new EventEmitter()
  private readonly root: string
  private container: Container | null = null
  private child: ChildProcess | null = null
  private files: string[] = []
  private awaiting: Awaiting | null = null
  private dead: Error | null = null
  private stopping = false
  private errorEmitted = false

  constructor(
    private readonly pool: PoolOptions,
    private readonly settings: WorkerSettings,
  ) {
    this.root = pool.project.config.root
  }

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
    const request = message as WorkerRequest & { __vitest_worker_request__?: boolean }
    if (request.__vitest_worker_request__) {
      if (request.type === 'run' || request.type === 'collect') {
        this.files = request.context.files.map((f: string | { filepath: string }) => (typeof f === 'string' ? f : f.filepath))
      }
      this.awaiting = RESPONSE_FOR[request.type] ?? this.awaiting
    }
    if (this.dead) {
      if (request.__vitest_worker_request__) setImmediate(() => this.answerForDeadWorker())
      return
    }
    try {
      this.child?.send(message, (error) => error && this.onChildError(error))
    } catch (error) {
      this.onChildError(error as NodeJS.ErrnoException)
    }
  }

  async start(): Promise<void> {
    const env = { ...this.pool.env, [WORKER_MARK]: this.settings.fallback ? 'fallback' : '1' } as NodeJS.ProcessEnv
    if (this.settings.fallback) {
      this.child = fork(WORKER_ENTRY, [], {
        execArgv: this.pool.execArgv,
        env: { ...env, ...this.settings.options.env },
        stdio: 'pipe',
        serialization: 'advanced',
      })
      this.child.once('exit', (code, signal) =>
        this.onExit({ exitCode: code, signal, oomKilled: false, peakMemoryBytes: null, memoryStat: null, memoryLimitBytes: null, durationMs: 0 }),
      )
    } else {
      this.container = startContainer(this.containerOptions(env))
      this.child = this.container.process
      this.container.started.catch((error: Error) => this.die(new Error(`the container could not start: ${error.message}`, { cause: error })))
      this.container.result.then(
        (result) => this.onExit(result),
        (error: Error) => this.die(new Error(`the container could not start: ${error.message}`, { cause: error })),
      )
    }
    const logger = this.pool.project.vitest.logger
    this.child.stdout?.pipe(logger.outputStream, { end: false })
    this.child.stderr?.pipe(logger.errorStream, { end: false })
    this.child.on('message', (message: unknown) => this.onMessage(message))
    this.child.on('error', (error: NodeJS.ErrnoException) => this.onChildError(error))
  }

  async stop(): Promise<void> {
    this.stopping = true
    const timer = setTimeout(() => (this.container ? this.container.kill('SIGKILL') : this.child?.kill('SIGKILL')), STOP_GRACE_MS)
    try {
      if (this.container) await this.container.result.catch(() => undefined)
      else if (this.child && this.child.exitCode === null && this.child.signalCode === null) await new Promise((r) => this.child!.once('exit', r))
    } finally {
      clearTimeout(timer)
      const logger = this.pool.project.vitest.logger
      this.child?.stdout?.unpipe(logger.outputStream)
      this.child?.stderr?.unpipe(logger.errorStream)
    }
  }

  private containerOptions(env: NodeJS.ProcessEnv): ContainerOptions {
    const { options } = this.settings
    const config = this.pool.project.config
    const volumes = [...(options.volumes ?? [])]
    if (config.coverage?.enabled && config.coverage.reportsDirectory) {
      // Vitest 5 workers write coverage files themselves: they must land on the host.
      mkdirSync(config.coverage.reportsDirectory, { recursive: true })
      volumes.push(`${config.coverage.reportsDirectory}:${config.coverage.reportsDirectory}:rw`)
    }
    return {
      command: [process.execPath, ...this.pool.execArgv, WORKER_ENTRY],
      baseEnv: env,
      env: options.env ?? {},
      memory: options.memory,
      pidsLimit: options.pidsLimit,
      network: options.network ?? 'loopback',
      hostname: options.hostname,
      volumes,
      workdir: this.root,
      visiblePaths: visiblePaths(this.root, this.pool.distPath),
      stdio: 'pipe',
      ipc: 'advanced',
    }
  }

  private onMessage(message: unknown): void {
    if (isForwardedWrite(message)) {
      this.onForwardedWrite(message)
      return
    }
    const response = message as { __vitest_worker_response__?: boolean; type?: string }
    if (response?.__vitest_worker_response__) {
      if (response.type === this.awaiting) this.awaiting = null
      if (response.type === 'testfileFinished') this.recordPeak(this.container?.memoryUsage()?.peakMemoryBytes ?? null)
    }
    this.events.emit('message', message)
  }

  private onForwardedWrite(write: ForwardedWrite): void {
    const reason = refusal(write, this.root, this.files)
    if (reason) {
      const error = new Error(`refused a snapshot write from the container to ${write.path}: ${reason}`)
      this.pool.project.vitest.state.catchError(error, 'Container Write Refused')
      return
    }
    applyWrite(write)
  }

  private onChildError(error: NodeJS.ErrnoException): void {
    // The channel closes when the container dies; its exit tells the real story.
    if (error?.code === 'EPIPE' || error?.code === 'ERR_IPC_CHANNEL_CLOSED') return
    if (this.errorEmitted) return
    this.errorEmitted = true
    this.events.emit('error', error)
  }

  private onExit(result: ContainerResult): void {
    this.recordPeak(result.peakMemoryBytes)
    if (this.stopping || this.dead) {
      this.events.emit('exit', result.exitCode, result.signal)
      return
    }
    this.die(new ContainerKilledError(describeDeath(result, this.files[0], this.root), result))
  }

  private die(error: Error): void {
    if (this.dead) return
    this.dead = error
    if (this.files[0] && this.awaiting === 'testfileFinished' && markFileFailed(this.pool.project.vitest, this.files[0], error)) {
      // The file carries the error; answer without one so it is not reported twice.
      this.respond('testfileFinished')
      return
    }
    this.answerForDeadWorker()
  }

  private answerForDeadWorker(): void {
    if (this.awaiting) this.respond(this.awaiting, this.awaiting === 'stopped' ? undefined : (this.dead ?? undefined))
  }

  private respond(type: Awaiting, error?: Error): void {
    this.awaiting = null
    this.events.emit('message', { __vitest_worker_response__: true, type, ...(error ? { error } : {}) })
  }

  private recordPeak(peak: number | null): void {
    const file = this.files[0]
    if (!file || this.settings.fallback) return
    recordMemory(this.pool.project.vitest, file, { peakBytes: peak, limitBytes: this.container ? limitOf(this.settings.options) : null })
  }
}

/**
 * Host directories the worker needs even when they live under /tmp (which is private inside): the project,
 * the node_modules directories above it, and the packages of Vitest and of this plugin.
 */
function visiblePaths(root: string, vitestDist: string): string[] {
  const paths = new Set([root, process.cwd(), realpathSync(dirname(vitestDist)), realpathSync(fileURLToPath(new URL('../..', import.meta.url)))])
  for (let dir = root; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules'))) paths.add(realpathSync(join(dir, 'node_modules')))
    if (dirname(dir) === dir) break
  }
  return [...paths]
}

function limitOf(options: FileOptions): number | null {
  return options.memory === undefined ? null : checkMemory(options.memory)
}
