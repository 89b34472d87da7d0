import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process'
import type { Socket } from 'node:net'
import type { CgroupUsage, ContainerCgroup } from '../cgroup/types.js'
import { LauncherError, type LauncherFailure, TestcellError } from '../errors.js'
import { launcherFds } from '../launcher/fds.js'
import { encodePlan, type PlanOp } from '../launcher/plan.js'
import { StatusDecoder, type StatusRecord } from '../launcher/status.js'
import type { ContainerConfig } from '../options/container-options.js'
import { type ContainerResult, signalName } from './result.js'

export interface LaunchInput {
  launcher: string
  config: ContainerConfig
  plan: PlanOp[]
  cgroup: ContainerCgroup | null
}

const NO_USAGE: CgroupUsage = { oomKillCount: 0, peakMemoryBytes: null, memoryStat: null }

/** A running container: the launcher process, its lifecycle and, when it ends, its result. */
export class Container implements AsyncDisposable {
  /** The launcher process: its stdio are the payload's; with `ipc` it carries the payload's IPC channel. */
  readonly process: ChildProcess
  readonly hostname: string
  /** Resolves once the payload was executed; rejects with a LauncherError if setup or exec failed. */
  readonly started: Promise<void>
  /** Resolves when the container is gone and its cgroup removed; rejects only if setup failed. */
  readonly result: Promise<ContainerResult>

  private readonly control: Socket
  private readonly decoder = new StatusDecoder()
  private readonly startedAt = performance.now()
  private initPid: number | null = null
  private exitRecord: Extract<StatusRecord, { type: 'exit' }> | null = null
  private failure: LauncherFailure | null = null
  private usage: CgroupUsage = NO_USAGE
  private settled = false
  private resolveStarted!: () => void
  private rejectStarted!: (error: Error) => void

  constructor(private readonly input: LaunchInput) {
    const { config } = input
    this.hostname = config.hostname
    this.started = new Promise<void>((resolve, reject) => {
      this.resolveStarted = resolve
      this.rejectStarted = reject
    })
    this.started.catch(() => {})
    const base: StdioOptions = config.stdio === 'inherit' ? ['inherit', 'inherit', 'inherit'] : ['pipe', 'pipe', 'pipe']
    const { ipcFd, controlFd } = launcherFds(config.ipc !== false)
    const stdio = [...base, ...(ipcFd !== null ? ['ipc' as const] : []), 'pipe' as const]
    this.process = spawn(input.launcher, ['--control-fd', String(controlFd)], {
      stdio,
      env: config.env,
      ...(config.ipc ? { serialization: config.ipc } : {}),
    })
    this.control = this.process.stdio[controlFd] as Socket
    this.control.on('data', (chunk: Buffer) => this.onData(chunk))
    this.control.on('error', () => {}) // the launcher's exit is the signal that matters
    this.result = this.waitForExit()
    this.result.catch(() => {})
    this.control.write(encodePlan(input.plan))
  }

  /** The cgroup's counters now (peak so far, OOM kills); null when this host gives the container no cgroup. */
  memoryUsage(): CgroupUsage | null {
    return this.input.cgroup && !this.settled ? this.readUsage() : null
  }

  /** Sends a signal to the container's init, which forwards SIGTERM/SIGINT/SIGHUP/SIGQUIT/SIGUSR1/2 to the payload. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.settled || this.exitRecord) return
    if (this.initPid !== null) {
      try {
        process.kill(this.initPid, signal)
        return
      } catch {
        // init already gone: fall through to tear the launcher down
      }
    }
    // Closing the control socket makes the launcher kill the container, clean up and exit.
    this.control.destroy()
  }

  /** Asks the payload to stop (SIGTERM), kills the container after `graceMs`, and waits for its end. */
  async stop(graceMs = 1000): Promise<ContainerResult | undefined> {
    if (!this.settled) {
      this.kill('SIGTERM')
      const timer = setTimeout(() => this.kill('SIGKILL'), graceMs)
      try {
        await this.result.catch(() => undefined)
      } finally {
        clearTimeout(timer)
      }
    }
    return this.result.catch(() => undefined)
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.kill('SIGKILL')
    await this.result.catch(() => undefined)
  }

  private onData(chunk: Buffer): void {
    let records: StatusRecord[]
    try {
      records = this.decoder.push(chunk)
    } catch (error) {
      this.fail({ stage: 'protocol', message: (error as Error).message })
      this.control.destroy()
      return
    }
    for (const record of records) this.onRecord(record)
  }

  private onRecord(record: StatusRecord): void {
    switch (record.type) {
      case 'pid':
        this.initPid = record.pid
        break
      case 'started':
        this.resolveStarted()
        break
      case 'error':
        this.fail(record)
        break
      case 'exit':
        this.exitRecord = record
        this.usage = this.input.cgroup && record.files ? this.input.cgroup.usageFrom(record.files) : NO_USAGE
        break
    }
  }

  private fail(failure: LauncherFailure): void {
    this.failure ??= failure
    this.rejectStarted(launcherError(failure))
  }

  private readUsage(): CgroupUsage {
    try {
      return this.input.cgroup?.readUsage() ?? NO_USAGE
    } catch {
      return NO_USAGE
    }
  }

  private async waitForExit(): Promise<ContainerResult> {
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      this.process.on('error', (cause) => {
        // Only a failed spawn ends here; EPIPE on the IPC channel of a dying container is not news.
        if (this.process.pid !== undefined) return
        reject(new TestcellError('TESTCELL_LAUNCHER_NOT_FOUND', `cannot start the launcher ${this.input.launcher}: ${cause.message}`, { cause }))
      })
      this.process.once('close', (c, s) => resolve([c, s]))
    }).finally(() => {
      this.settled = true
    })
    const usage = this.exitRecord ? this.usage : this.readUsage()
    await this.input.cgroup?.remove().catch(() => {})
    this.rejectStarted(new TestcellError('TESTCELL_LAUNCHER_SETUP', 'the container ended before its command started'))
    if (this.failure && this.failure.stage !== 'exec') throw launcherError(this.failure)
    const exit = this.exitRecord
    return {
      exitCode: exit ? (exit.code ?? null) : code,
      signal: exit ? (exit.signal === undefined ? null : signalName(exit.signal)) : signal,
      oomKilled: this.input.config.memoryBytes !== null && usage.oomKillCount > 0,
      peakMemoryBytes: usage.peakMemoryBytes,
      memoryStat: usage.memoryStat,
      memoryLimitBytes: this.input.config.memoryBytes,
      durationMs: Math.round(performance.now() - this.startedAt),
    }
  }
}

function launcherError(failure: LauncherFailure): LauncherError {
  if (failure.stage === 'exec') {
    const code = failure.errno === 2 ? 'TESTCELL_COMMAND_NOT_FOUND' : 'TESTCELL_COMMAND_NOT_EXECUTABLE'
    return new LauncherError(code, failure)
  }
  return new LauncherError('TESTCELL_LAUNCHER_SETUP', failure)
}
