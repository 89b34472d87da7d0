import type { Vitest } from 'vitest/node'

/** What the memory reporter reads from a file's `meta` (kept in blob reports and --merge-reports). */
export interface ContainerMemoryMeta {
  peakBytes: number | null
  limitBytes: number | null
  /** How the container ended before its file was done (`killed by its memory limit`, `killed by SIGKILL`, ...). */
  endedEarly?: string
}

export const MEMORY_META_KEY = 'containerMemory'

/**
 * Records a container file's peak memory under one key of the file's `meta`, Vitest's place for custom data
 * about a test module (blob reports carry it, so --merge-reports shows it). This is the one place the pool
 * writes into Vitest's state; it never changes a result.
 */
export function recordMemory(vitest: Vitest, filepath: string, memory: ContainerMemoryMeta): void {
  const [file] = vitest.state.getFiles([filepath])
  if (!file) return
  const meta = file.meta as Record<string, unknown>
  meta[MEMORY_META_KEY] = { ...(meta[MEMORY_META_KEY] as ContainerMemoryMeta | undefined), ...memory }
}
