import type { PeakMode, Verdict } from '@testcell/core'

/** The key of the memory figures in a file's and a test's `meta` (kept in blob reports and --merge-reports). */
export const MEMORY_META_KEY = 'containerMemory'

/** A container file's memory, in its `meta`. Only the first two fields are always there. */
export interface FileMemoryMeta {
  peakBytes: number | null
  limitBytes: number | null
  /** The file's options that bear on memory (`memory` as written, pids, network) and the V8 heap limit in force. */
  options?: MemoryOptions
  /** How the container ended early, in a few words for the table (`killed by its memory limit`). */
  endedEarly?: string
  /** How the container ended when it ended early (a crash): `budget`, `host-oom`, `v8-heap`, `signal`, `exit`. */
  verdict?: Exclude<Verdict['kind'], 'stopped'>
  /** Memory over time: the highest reading of each span of `everyMs` from the container's start, in KiB. */
  samples?: { everyMs: number; kib: number[] }
  /** How the per-test peaks were measured on this host (see PeakMode). */
  peakMode?: PeakMode
}

export interface MemoryOptions {
  memory?: string | number
  pidsLimit?: number
  network?: string
  heapLimitBytes?: number
}

/** A test's memory, in its `meta`: the container's peak while it ran. */
export interface TestMemoryMeta {
  peakBytes: number | null
  /** Other tests of the file ran at the same time (`concurrent`): the peak is theirs together. */
  shared?: boolean
}

export function fileMemory(meta: object): FileMemoryMeta | undefined {
  return (meta as Record<string, FileMemoryMeta | undefined>)[MEMORY_META_KEY]
}

export function testMemory(meta: object): TestMemoryMeta | undefined {
  return (meta as Record<string, TestMemoryMeta | undefined>)[MEMORY_META_KEY]
}

/** Samples for the meta: bytes to KiB (a report needs no more, and a blob report stays small). */
export function samplesMeta(samples: { everyMs: number; values: readonly number[] }): FileMemoryMeta['samples'] {
  return { everyMs: samples.everyMs, kib: samples.values.map((v) => Math.round(v / 1024)) }
}
