import {
  type ContainerResult,
  classifyEnd,
  describeVerdict,
  factsFromResult,
  type HeapLimit,
  type MemorySampler,
  type PeakTracker,
  reportedHeapLimit,
  type Verdict,
} from '@testcell/core'
import { type FileMemoryMeta, type MemoryOptions, samplesMeta, type TestMemoryMeta } from './meta.js'
import type { MemorySignal } from './signals.js'
import { StderrTail } from './stderr-tail.js'
import { TestWindows } from './test-windows.js'

/** What the watch needs of a running container (a `Container`, or a fake in unit tests). */
export interface WatchedContainer {
  peakTracker(): PeakTracker | null
  memorySampler(options: { intervalMs?: number; onSample?: (bytes: number) => void }): MemorySampler | null
}

export interface WatchSettings {
  limitBytes: number | null
  options: MemoryOptions
  /** From --max-old-space-size in the worker's execArgv or NODE_OPTIONS; without it, what the worker reports. */
  heapLimit: HeapLimit | null
  /** Sampling interval (default 100 ms): one read of the cgroup's current usage per tick. */
  sampleEveryMs?: number
}

/** Why a container ended early: the verdict, one line for the user (without the place), a few words for the table. */
export interface EarlyEnd {
  verdict: Verdict
  message: string
  short: string
}

const SHORT: Record<Verdict['kind'], (v: Verdict) => string> = {
  budget: () => 'killed by its memory limit',
  'host-oom': () => 'killed: the machine ran out of memory',
  'v8-heap': () => "V8's heap limit reached",
  signal: (v) => `killed by ${(v as { signal: string }).signal}`,
  exit: (v) => `exited with code ${(v as { exitCode: number | null }).exitCode}`,
  stopped: () => 'stopped',
}

/**
 * Everything the pool measures about one container file's memory: per-test peaks (from the worker's test
 * signals), memory over time, the tail of the worker's stderr, and, when the container ends early, why.
 * Costs, all on the main thread: a read and a reset of the cgroup's peak at each test start and end (a few
 * microseconds each), and one read of the current usage per sampling tick.
 */
export class FileMemoryWatch {
  private tracker: PeakTracker | null = null
  private sampler: MemorySampler | null = null
  private windows: TestWindows | null = null
  private readonly stderr = new StderrTail()
  private reportedHeap: HeapLimit | null = null
  private early: EarlyEnd | null = null

  constructor(private readonly settings: WatchSettings) {}

  /** Starts measuring the container (without a cgroup there is nothing to measure but its end). */
  attach(container: WatchedContainer): void {
    const tracker = container.peakTracker()
    if (!tracker || this.tracker) return
    this.tracker = tracker
    this.windows = new TestWindows(tracker)
    this.sampler = container.memorySampler({ intervalMs: this.settings.sampleEveryMs ?? 100, onSample: (bytes) => tracker.observe(bytes) })
    this.sampler?.start()
  }

  /** The container is gone: stop sampling and close the cgroup files. Idempotent. */
  detach(): void {
    this.sampler?.stop()
    this.tracker?.close()
  }

  signal(message: MemorySignal): void {
    if (message.__testcell__ === 'heap') {
      this.reportedHeap = reportedHeapLimit(message.limitBytes)
      return
    }
    if (message.event === 'start') this.windows?.start(message.id, message.name)
    else this.windows?.end(message.id)
  }

  stderrChunk(chunk: Buffer | string): void {
    this.stderr.push(chunk)
  }

  /** The tests running now, to name where the container was when it ended. */
  runningTests(): string[] {
    return this.windows?.runningTests() ?? []
  }

  /**
   * Why the container ended before its file was done. The tests it was running end here, with the container's
   * last peak.
   */
  endedEarly(result: ContainerResult): EarlyEnd {
    const facts = factsFromResult(result, { peakBytes: this.filePeak(result.peakMemoryBytes), stderrTail: this.stderr.text(), heapLimit: this.heapLimit })
    const verdict = classifyEnd(facts)
    this.windows?.abort(result.peakMemoryBytes)
    this.early = { verdict, message: describeVerdict(verdict) ?? 'stopped', short: SHORT[verdict.kind](verdict) }
    return this.early
  }

  /** The file's and its tests' meta now; `peakBytes` is the container's own peak (at an answer, or at its end). */
  meta(peakBytes: number | null): { file: FileMemoryMeta; tests: Map<string, TestMemoryMeta> } {
    const options = this.heapLimit ? { ...this.settings.options, heapLimitBytes: this.heapLimit.bytes } : this.settings.options
    const file: FileMemoryMeta = { peakBytes: this.filePeak(peakBytes), limitBytes: this.settings.limitBytes, options }
    if (this.early && this.early.verdict.kind !== 'stopped') {
      file.verdict = this.early.verdict.kind
      file.endedEarly = this.early.short
    }
    if (this.sampler) file.samples = samplesMeta(this.sampler.samples())
    if (this.tracker?.mode) file.peakMode = this.tracker.mode
    const tests = new Map<string, TestMemoryMeta>()
    for (const [id, test] of this.windows?.peaks() ?? [])
      tests.set(id, test.shared ? { peakBytes: test.peakBytes, shared: true } : { peakBytes: test.peakBytes })
    return { file, tests }
  }

  /** The flag the user wrote wins (it is what they would change); else what the worker's V8 reported. */
  private get heapLimit(): HeapLimit | null {
    return this.settings.heapLimit ?? this.reportedHeap
  }

  /** On v1 the per-test resets clear the kernel's watermark: the file's peak is the highest of every reading. */
  private filePeak(peakBytes: number | null): number | null {
    const highest = this.tracker?.highest ?? null
    if (highest === null) return peakBytes
    return peakBytes === null ? highest : Math.max(highest, peakBytes)
  }
}
