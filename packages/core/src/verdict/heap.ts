const MiB = 1024 * 1024

/** The V8 heap limit a worker ran with, and where it came from (for the message). */
export interface HeapLimit {
  bytes: number
  /** `--max-old-space-size=32`, `NODE_OPTIONS --max-old-space-size=32`, or `v8 heap_size_limit` (reported). */
  source: string
}

/** What Node prints when V8 gives up on a full heap, just before it aborts. */
const HEAP_OOM = /JavaScript heap out of memory|Reached heap limit|Ineffective mark-compacts near heap limit/

export function isHeapOutOfMemory(stderrTail: string): boolean {
  return HEAP_OOM.test(stderrTail)
}

/**
 * The `--max-old-space-size` (MiB) in force: the worker's own argv wins over NODE_OPTIONS, as in Node, and
 * the last occurrence wins within each. Null when neither sets it (V8 then sizes the heap itself).
 */
export function heapLimitFromFlags(execArgv: readonly string[], nodeOptions: string | undefined): HeapLimit | null {
  const fromArgv = lastMaxOldSpace(execArgv)
  if (fromArgv !== null) return { bytes: fromArgv * MiB, source: `--max-old-space-size=${fromArgv}` }
  const fromEnv = lastMaxOldSpace((nodeOptions ?? '').split(/\s+/).filter(Boolean))
  if (fromEnv !== null) return { bytes: fromEnv * MiB, source: `NODE_OPTIONS --max-old-space-size=${fromEnv}` }
  return null
}

function lastMaxOldSpace(args: readonly string[]): number | null {
  let found: number | null = null
  for (let i = 0; i < args.length; i++) {
    const match = /^--max[-_]old[-_]space[-_]size(?:=(.*))?$/.exec(args[i]!)
    if (!match) continue
    const value = match[1] ?? args[i + 1]
    if (value !== undefined && /^\d+(\.\d+)?$/.test(value)) found = Number(value)
  }
  return found
}

/** The heap limit a worker reports from `v8.getHeapStatistics().heap_size_limit`. */
export function reportedHeapLimit(bytes: number): HeapLimit {
  return { bytes, source: 'v8 heap_size_limit' }
}
