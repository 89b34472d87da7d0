import { closeSync, openSync, readSync } from 'node:fs'

export interface SamplerOptions {
  /** Time between two reads (default 100 ms). */
  intervalMs?: number
  /** Most values kept; past it, neighbours are merged (their maximum) and the interval doubles (default 240). */
  maxValues?: number
  /** Called with every value read, e.g. to feed a PeakTracker in sampled mode. */
  onSample?: (bytes: number) => void
}

/** Memory use over time: `values[i]` is the highest reading in the i-th span of `everyMs` from the start. */
export interface MemorySamples {
  everyMs: number
  values: number[]
}

/**
 * Reads a cgroup's current usage (`memory.current`, or `memory.usage_in_bytes` on v1) at a fixed interval.
 * Each tick is one pread on a descriptor opened once, into a buffer allocated once: a few microseconds of
 * the main thread per tick. The timer is unref'd, so it never keeps a process alive. Storage is bounded.
 */
export class MemorySampler implements Disposable {
  private fd: number | null = null
  private timer: NodeJS.Timeout | null = null
  private readonly buffer = Buffer.alloc(32)
  private readonly intervalMs: number
  private readonly maxValues: number
  private everyMs: number
  private values: number[] = []
  /** Readings folded into the last value (it spans `everyMs`, which may be several ticks). */
  private ticksInLast = 0

  constructor(
    private readonly file: string,
    private readonly options: SamplerOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 100
    this.maxValues = Math.max(2, options.maxValues ?? 240)
    this.everyMs = this.intervalMs
  }

  start(): void {
    if (this.timer) return
    this.timer = setInterval(() => this.sample(), this.intervalMs)
    this.timer.unref()
    this.sample()
  }

  /** Takes one reading now; returns it, or null when the file cannot be read (not created yet, or gone). */
  sample(): number | null {
    const bytes = this.read()
    if (bytes === null) return null
    this.options.onSample?.(bytes)
    this.push(bytes)
    return bytes
  }

  /** Stops sampling and closes the descriptor; the samples stay readable. Idempotent. */
  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    if (this.fd !== null) closeSync(this.fd)
    this.fd = null
  }

  [Symbol.dispose](): void {
    this.stop()
  }

  samples(): MemorySamples {
    return { everyMs: this.everyMs, values: [...this.values] }
  }

  private push(bytes: number): void {
    const ticksPerValue = this.everyMs / this.intervalMs
    if (this.values.length > 0 && this.ticksInLast < ticksPerValue) {
      const last = this.values.length - 1
      this.values[last] = Math.max(this.values[last]!, bytes)
      this.ticksInLast++
      return
    }
    if (this.values.length === this.maxValues) {
      // Halve the resolution: an odd count leaves a last value that spans only half the new interval.
      this.ticksInLast = this.values.length % 2 === 0 ? 2 * ticksPerValue : ticksPerValue
      this.values = mergePairs(this.values)
      this.everyMs *= 2
      this.push(bytes)
      return
    }
    this.values.push(bytes)
    this.ticksInLast = 1
  }

  private read(): number | null {
    try {
      this.fd ??= openSync(this.file, 'r')
      const length = readSync(this.fd, this.buffer, 0, this.buffer.length, 0)
      const text = this.buffer.toString('latin1', 0, length).trim()
      return /^\d+$/.test(text) ? Number(text) : null
    } catch {
      return null
    }
  }
}

/** [a, b, c, d, e] → [max(a,b), max(c,d), e]. */
export function mergePairs(values: readonly number[]): number[] {
  const merged: number[] = []
  for (let i = 0; i < values.length; i += 2) merged.push(Math.max(values[i]!, values[i + 1] ?? values[i]!))
  return merged
}
