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

/** The part of a container's cgroup the watch uses. */
export interface WatchedCgroup {
  peakTracker(): PeakTracker
  memorySampler(options: { intervalMs?: number; onSample?: (bytes: number) => void }): MemorySampler
}

export interface WatchSettings {
  limitBytes: number | null
  options: MemoryOptions
  /** From --max-old-space-size in the worker's execArgv or NODE_OPTIONS; without it, what the worker reports. */
  heapLimit: HeapLimit | null
  /** Sampling interval (default 100 ms): one read of memory.current per tick. */
  sampleEveryMs?: number
}

export interface EndReport {
  verdict: Verdict
  /** One line for the user; null for a stop Vitest asked for. */
  message: string | null
}

/**
 * Everything the pool measures about one container file's memory: per-test peaks (from the worker's test
 * signals), memory over time, the tail of the worker's stderr, and at the end the verdict and the meta.
 * Costs: a read and a reset of the cgroup's peak at each test start and end (~2 µs each), one read of the
 * current usage per sampling tick.
 */
export class FileMemoryWatch {
  private tracker: PeakTracker | null = null
  private sampler: MemorySampler | null = null
  private windows: TestWindows | null = null
  private readonly stderr = new StderrTail()
  private reportedHeap: HeapLimit | null = null
  private ended: { peak: number | null } | null = null

  constructor(
    private readonly cgroup: WatchedCgroup | null,
    private readonly settings: WatchSettings,
  ) {}

  /** The flag the user wrote wins (it is what they would change); else what the worker's V8 reported. */
  private get heapLimit(): HeapLimit | null {
    return this.settings.heapLimit ?? this.reportedHeap
  }

  start(): void {
    if (!this.cgroup || this.tracker) return
    const tracker = this.cgroup.peakTracker()
    this.tracker = tracker
    this.windows = new TestWindows(tracker)
    this.sampler = this.cgroup.memorySampler({ intervalMs: this.settings.sampleEveryMs ?? 100, onSample: (bytes) => tracker.observe(bytes) })
    this.sampler.start()
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

  /** The tests running now (to name in a verdict). */
  runningTests(): string[] {
    return this.windows?.runningTests() ?? []
  }

  /** Why the container ended before its file finished, naming the test that was running. */
  endedEarly(result: ContainerResult, place: { file: string | null; stoppedByRunner: boolean }): EndReport {
    const running = this.runningTests()
    const peak = this.filePeak(result.peakMemoryBytes)
    const verdict = classifyEnd(
      factsFromResult(result, { peakBytes: peak, stderrTail: this.stderr.text(), heapLimit: this.heapLimit, stoppedByRunner: place.stoppedByRunner }),
    )
    const test = running.length > 1 ? `${running[0]} (and ${running.length - 1} more running)` : running[0]
    return { verdict, message: describeVerdict(verdict, { file: place.file, test: test ?? null }) }
  }

  /**
   * Stops measuring and returns the meta of the file and of each test. `resultPeak` is the container's own
   * peak (reported at its exit), null while it still runs; `verdict` is set for a file that died.
   */
  finish(resultPeak: number | null, verdict?: Verdict): { file: FileMemoryMeta; tests: Map<string, TestMemoryMeta> } {
    if (!this.ended) {
      if (verdict && verdict.kind !== 'stopped') this.windows?.abort(resultPeak)
      else this.windows?.close()
      this.sampler?.stop()
      this.ended = { peak: this.filePeak(resultPeak) }
      this.tracker?.close()
    }
    const file: FileMemoryMeta = { peakBytes: this.ended.peak, limitBytes: this.settings.limitBytes, options: this.settings.options }
    if (this.heapLimit && file.options) file.options = { ...file.options, heapLimitBytes: this.heapLimit.bytes }
    if (verdict && verdict.kind !== 'stopped') file.verdict = verdict.kind
    if (this.sampler) file.samples = samplesMeta(this.sampler.samples())
    if (this.tracker?.mode) file.peakMode = this.tracker.mode
    const tests = new Map<string, TestMemoryMeta>()
    for (const [id, test] of this.windows?.peaks() ?? [])
      tests.set(id, test.shared ? { peakBytes: test.peakBytes, shared: true } : { peakBytes: test.peakBytes })
    return { file, tests }
  }

  /** On v1 the per-test resets clear the kernel's watermark: the file's peak is the highest of every reading. */
  private filePeak(resultPeak: number | null): number | null {
    const highest = this.tracker?.highest ?? null
    if (highest === null) return resultPeak
    return resultPeak === null ? highest : Math.max(highest, resultPeak)
  }
}
