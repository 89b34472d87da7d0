import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs'
import { join } from 'node:path'

/**
 * How a cgroup's peak is reset between tests:
 * - `v2-peak-reset`: cgroup v2, Linux >= 6.12: writing to `memory.peak` resets the peak seen through that fd;
 * - `v2-sampled`: older v2 kernels (memory.peak read-only or absent): the peak of `memory.current` reads;
 * - `v1-max-usage`: cgroup v1: writing 0 to `memory.max_usage_in_bytes` resets the watermark to the usage now.
 */
export type PeakMode = 'v2-peak-reset' | 'v2-sampled' | 'v1-max-usage'

/** A container cgroup's peak memory over windows: `reset()` opens a window, `read()` is its peak so far. */
export interface PeakTracker extends Disposable {
  /** Null until the cgroup directory exists (the launcher may create it after the tracker). */
  readonly mode: PeakMode | null
  /** Starts a new window: the next `read()` covers only what happens from now on. */
  reset(): void
  /**
   * Highest usage in bytes since the last `reset()`; before any reset, the cgroup's whole peak (in `v2-sampled`
   * mode: the highest sample so far). Null while the cgroup cannot be read.
   */
  read(): number | null
  /** A `memory.current` sample taken elsewhere (the sampler): raises the window's peak in `v2-sampled` mode. */
  observe(bytes: number): void
  /**
   * Highest value ever read or observed. On v1 a reset clears the kernel's watermark for everyone, so the
   * whole file's peak is the larger of this and the peak the cgroup reports at the end.
   */
  readonly highest: number | null
  /** Closes the file descriptors; idempotent. */
  close(): void
}

/** The files of a memory cgroup directory that the tracker and the sampler read. */
export function memoryFiles(version: 1 | 2, dir: string): { peak: string; current: string } {
  return version === 2
    ? { peak: join(dir, 'memory.peak'), current: join(dir, 'memory.current') }
    : { peak: join(dir, 'memory.max_usage_in_bytes'), current: join(dir, 'memory.usage_in_bytes') }
}

/**
 * A peak tracker for the memory cgroup at `dir`. Each reset or read is one pwrite or pread on a file
 * descriptor kept open for the container's life (the per-fd reset of v2 needs the same descriptor anyway).
 */
export function openPeakTracker(version: 1 | 2, dir: string): PeakTracker {
  return new CgroupPeakTracker(version, dir)
}

const RESET = Buffer.from('reset\n')
const ZERO = Buffer.from('0\n')

class CgroupPeakTracker implements PeakTracker {
  mode: PeakMode | null = null
  highest: number | null = null
  private fd: number | null = null
  private window: number | null = null
  private closed = false
  private readonly buffer = Buffer.alloc(32)
  private readonly files: { peak: string; current: string }

  constructor(
    private readonly version: 1 | 2,
    dir: string,
  ) {
    this.files = memoryFiles(version, dir)
  }

  reset(): void {
    if (!this.open()) return
    try {
      if (this.mode === 'v2-sampled') {
        this.window = this.readFd()
      } else {
        writeSync(this.fd!, this.mode === 'v1-max-usage' ? ZERO : RESET, 0, undefined, 0)
        this.window = null
      }
    } catch {
      this.window = null
      // A kernel that refuses the per-fd reset after all: measure by sampling rather than report stale peaks.
      if (this.mode === 'v2-peak-reset' && this.fallBackToSampling()) this.reset()
    }
  }

  read(): number | null {
    if (!this.open()) return null
    let value: number | null
    try {
      value = this.readFd()
    } catch {
      return this.window
    }
    if (this.mode === 'v2-sampled') value = Math.max(value, this.window ?? 0)
    this.window = this.mode === 'v2-sampled' ? value : null
    this.raise(value)
    return value
  }

  observe(bytes: number): void {
    if (this.mode === 'v2-sampled') this.window = Math.max(this.window ?? 0, bytes)
    this.raise(bytes)
  }

  close(): void {
    this.closed = true
    if (this.fd !== null) closeSync(this.fd)
    this.fd = null
  }

  [Symbol.dispose](): void {
    this.close()
  }

  private raise(value: number): void {
    this.highest = Math.max(this.highest ?? 0, value)
  }

  /** Opens the descriptor once, choosing the mode the kernel supports; false while the cgroup does not exist. */
  private open(): boolean {
    if (this.fd !== null) return true
    if (this.closed) return false
    if (this.version === 1) return this.tryOpen(this.files.peak, 'r+', 'v1-max-usage')
    // memory.peak is writable (mode 0644) since 6.12; before it is read-only (0444, which root may still open
    // for writing, so the mode tells) or absent.
    if (this.tryOpen(this.files.peak, 'r+', 'v2-peak-reset')) {
      if ((fstatSync(this.fd!).mode & 0o222) !== 0) return true
      closeSync(this.fd!)
      this.fd = null
    }
    return this.tryOpen(this.files.current, 'r', 'v2-sampled')
  }

  private fallBackToSampling(): boolean {
    if (this.fd !== null) closeSync(this.fd)
    this.fd = null
    return this.tryOpen(this.files.current, 'r', 'v2-sampled')
  }

  private tryOpen(path: string, flags: 'r' | 'r+', mode: PeakMode): boolean {
    try {
      this.fd = openSync(path, flags)
      this.mode = mode
      return true
    } catch {
      return false
    }
  }

  private readFd(): number {
    const length = readSync(this.fd!, this.buffer, 0, this.buffer.length, 0)
    const text = this.buffer.toString('latin1', 0, length).trim()
    if (!/^\d+$/.test(text)) throw new Error(`unexpected cgroup value ${JSON.stringify(text)}`)
    return Number(text)
  }
}
