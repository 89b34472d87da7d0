import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process'
import type { Socket } from 'node:net'
import { constants } from 'node:os'
import type { PeakTracker } from '../cgroup/peak.js'
import type { MemorySampler, SamplerOptions } from '../cgroup/sampler.js'
import type { CgroupLimits, CgroupUsage, ContainerCgroup } from '../cgroup/types.js'
import { LauncherError, type LauncherFailure, TestcellError, UnsupportedHostError } from '../errors.js'
import { launcherFds } from '../launcher/fds.js'
import { encodePlan, type PlanOp, PROTOCOL_VERSION } from '../launcher/plan.js'
import { StatusDecoder, type StatusRecord } from '../launcher/status.js'
import type { ContainerConfig } from '../options/container-options.js'
import { classifyEnd } from '../verdict/classify.js'
import { factsFromResult } from '../verdict/facts.js'
import { type ContainerResult, signalName } from './result.js'

export interface LaunchInput {
  launcher: string
  config: ContainerConfig
  plan: PlanOp[]
  cgroup: ContainerCgroup | null
}

const NO_USAGE: CgroupUsage = { oomKillCount: 0, limitOomCount: null, peakMemoryBytes: null, memoryStat: null }
/** How long a launcher that does not act on a SIGKILL request gets before it is killed itself. */
const LAUNCHER_KILL_GRACE_MS = 2000

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
  private exitRecord: Extract<StatusRecord, { type: 'exit' }> | null = null
  /** Why the container could not be set up (a launcher error record, or a protocol error). */
  private setupError: TestcellError | null = null
  private execFailure: LauncherFailure | null = null
  private usage: CgroupUsage = NO_USAGE
  private limits: CgroupLimits
  private settled = false
  private resolveStarted!: () => void
  private rejectStarted!: (error: Error) => void

  constructor(private readonly input: LaunchInput) {
    const { config } = input
    this.hostname = config.hostname
    this.limits = { memoryBytes: config.memoryBytes, pidsLimit: config.pidsLimit }
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

  /** True once the container is gone (its result is settled or about to be). */
  get ended(): boolean {
    return this.settled || this.exitRecord !== null
  }

  /**
   * Gives the running container new memory and pids limits, e.g. a prewarmed container handed to the test file
   * that asked for them. Throws (a CgroupError, or an UnsupportedHostError without a cgroup) when they cannot be
   * applied; the container is then unchanged as far as the limits go.
   */
  setLimits(limits: CgroupLimits): void {
    const cgroup = this.input.cgroup
    if (!cgroup) {
      if (limits.memoryBytes === null && limits.pidsLimit === null) return
      throw new UnsupportedHostError('this container has no cgroup, so it cannot take a memory or pids limit', [])
    }
    cgroup.setLimits(limits)
    this.limits = { ...limits }
  }

  /** The cgroup's counters now (peak so far, OOM kills); null when this host gives the container no cgroup. */
  memoryUsage(): CgroupUsage | null {
    return this.input.cgroup && !this.settled ? this.readUsage() : null
  }

  /** The container's peak memory in windows (per test); null when this host gives the container no cgroup. */
  peakTracker(): PeakTracker | null {
    return this.input.cgroup?.peakTracker() ?? null
  }

  /** Samples the container's memory use over time (not started); null without a cgroup. */
  memorySampler(options?: SamplerOptions): MemorySampler | null {
    return this.input.cgroup?.memorySampler(options) ?? null
  }

  /**
   * Delivers a signal to the container: SIGKILL ends it at once; any other signal goes to its init, which passes
   * it to the payload. A request over the launcher's control socket, never a kill() of a pid that may be reused.
   */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.settled || this.exitRecord || this.control.destroyed) return
    this.control.write(`signal ${constants.signals[signal]}\n`)
  }

  /** Asks the payload to stop (SIGTERM), kills the container after `graceMs`, and waits for its end. */
  async stop(graceMs = 1000): Promise<ContainerResult | undefined> {
    if (!this.settled) {
      this.kill('SIGTERM')
      const timer = setTimeout(() => this.forceKill(), graceMs)
      try {
        await this.result.catch(() => undefined)
      } finally {
        clearTimeout(timer)
      }
    }
    return this.result.catch(() => undefined)
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.forceKill()
    await this.result.catch(() => undefined)
  }

  /** SIGKILL through the launcher; if the launcher itself does not end, it is killed (init dies with it). */
  private forceKill(): void {
    if (this.settled) return
    this.kill('SIGKILL')
    // The launcher is our own child: until we have seen its exit its pid cannot belong to anyone else.
    setTimeout(() => this.settled || this.process.kill('SIGKILL'), LAUNCHER_KILL_GRACE_MS).unref()
  }

  private onData(chunk: Buffer): void {
    let records: StatusRecord[]
    try {
      records = this.decoder.push(chunk)
    } catch (error) {
      this.failSetup(error as TestcellError)
      this.control.destroy()
      return
    }
    for (const record of records) this.onRecord(record)
  }

  private onRecord(record: StatusRecord): void {
    switch (record.type) {
      case 'hello':
        if (record.protocol !== PROTOCOL_VERSION) {
          this.failSetup(
            new TestcellError(
              'TESTCELL_LAUNCHER_PROTOCOL',
              `the launcher ${this.input.launcher} speaks protocol version ${record.protocol}, but this @testcell/core speaks version ${PROTOCOL_VERSION}: ` +
                'install matching versions (or rebuild the launcher), or point TESTCELL_LAUNCHER at a matching one',
            ),
          )
          this.control.destroy()
        }
        break
      case 'started':
        this.resolveStarted()
        break
      case 'error':
        this.failSetup(new LauncherError('TESTCELL_LAUNCHER_SETUP', record))
        break
      case 'exec-failed':
        this.execFailure = { ...record, stage: 'exec' }
        this.rejectStarted(execError(this.execFailure))
        break
      case 'exit':
        this.exitRecord = record
        this.usage = this.input.cgroup && record.files ? this.input.cgroup.usageFrom(record.files) : NO_USAGE
        break
      default:
        break
    }
  }

  private failSetup(error: TestcellError): void {
    this.setupError ??= error
    this.rejectStarted(error)
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
    // The launcher removes the cgroup itself; this covers a launcher that was killed before it could.
    await this.input.cgroup?.remove().catch(() => {})
    if (this.setupError) throw this.setupError
    const exit = this.exitRecord
    if (!exit && code === 125 && !this.execFailure) {
      throw new TestcellError('TESTCELL_LAUNCHER_SETUP', `the launcher ${this.input.launcher} exited 125 without saying why (see its stderr)`)
    }
    this.rejectStarted(new TestcellError('TESTCELL_LAUNCHER_SETUP', 'the container ended before its command started'))
    const result: ContainerResult = {
      exitCode: exit ? (exit.code ?? null) : code,
      signal: exit ? (exit.signal === undefined ? null : signalName(exit.signal)) : signal,
      oomKilled: false,
      oomKillCount: usage.oomKillCount,
      limitOomCount: usage.limitOomCount,
      peakMemoryBytes: usage.peakMemoryBytes,
      memoryStat: usage.memoryStat,
      memoryLimitBytes: this.limits.memoryBytes,
      durationMs: Math.round(performance.now() - this.startedAt),
    }
    // Killed by its own budget, told apart from the machine running out (which counts an OOM kill too).
    result.oomKilled = classifyEnd(factsFromResult(result)).kind === 'budget'
    return result
  }
}

function execError(failure: LauncherFailure): LauncherError {
  return new LauncherError(failure.errno === 2 ? 'TESTCELL_COMMAND_NOT_FOUND' : 'TESTCELL_COMMAND_NOT_EXECUTABLE', failure)
}
