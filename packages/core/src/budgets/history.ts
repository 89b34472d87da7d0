import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

/** Where a project's history lives by default, relative to its root: committed, or cached in CI. */
export const DEFAULT_HISTORY_PATH = '.testcell/memory-history.jsonl'

/** How a file's run ended, as far as its memory goes. */
export type RunOutcome = 'passed' | 'failed' | 'budget' | 'host-oom' | 'v8-heap' | 'crashed'

/** One test file in one run: a line of the history file (JSON Lines, append-only, newest last). */
export interface HistoryEntry {
  /** Format version. */
  v: 1
  /** Entries of one run (all shards of a merged run included) share this id. */
  run: string
  /** When the run ended, ISO 8601. */
  at: string
  /** The Vitest project's name ('' for an unnamed one). */
  project: string
  /** The test file, relative to the project root, with `/` separators. */
  file: string
  outcome: RunOutcome
  peakBytes: number | null
  /** The file's budget in that run (null: none). */
  limitBytes: number | null
  /** The file's options that bear on memory, as written (`memory: '256MiB'`), and the V8 heap limit in force. */
  options: { memory?: string | number; pidsLimit?: number; network?: string; heapLimitBytes?: number }
  /** Each test's peak: `[full name, bytes]`, in file order; null when not measured. */
  tests: [string, number | null][]
}

/** Runs kept per file when the history is compacted (it is, once a file has more than half as many again). */
export const KEPT_RUNS = 30

export interface ParsedHistory {
  entries: HistoryEntry[]
  /** Lines that are not entries (a merge conflict, a truncated write), 1-based. */
  invalidLines: number[]
}

export function parseHistory(text: string): ParsedHistory {
  const entries: HistoryEntry[] = []
  const invalidLines: number[] = []
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return
    try {
      const value = JSON.parse(line) as unknown
      if (isEntry(value)) entries.push(value)
      else invalidLines.push(index + 1)
    } catch {
      invalidLines.push(index + 1)
    }
  })
  return { entries, invalidLines }
}

export function readHistory(path: string): ParsedHistory {
  return existsSync(path) ? parseHistory(readFileSync(path, 'utf8')) : { entries: [], invalidLines: [] }
}

/**
 * Appends one run's entries. Most runs only append (small diffs, concurrent appends stay whole lines); once a
 * file has more than 1.5 × KEPT_RUNS entries the history is rewritten with the newest KEPT_RUNS of each file.
 */
export function appendHistory(path: string, entries: readonly HistoryEntry[], keptRuns = KEPT_RUNS): void {
  if (entries.length === 0) return
  mkdirSync(dirname(path), { recursive: true })
  const lines = entries.map((e) => `${JSON.stringify(e)}\n`).join('')
  const existing = readHistory(path).entries
  const all = [...existing, ...entries]
  if (!needsCompaction(all, keptRuns)) {
    appendFileSync(path, lines)
    return
  }
  const temp = join(dirname(path), `.memory-history.${process.pid}.tmp`)
  writeFileSync(
    temp,
    compact(all, keptRuns)
      .map((e) => `${JSON.stringify(e)}\n`)
      .join(''),
  )
  renameSync(temp, path)
}

/** The newest `keptRuns` entries of each project and file, in their original order. */
export function compact(entries: readonly HistoryEntry[], keptRuns = KEPT_RUNS): HistoryEntry[] {
  const seen = new Map<string, number>()
  const kept: HistoryEntry[] = []
  for (let i = entries.length - 1; i >= 0; i--) {
    const key = entryKey(entries[i]!)
    const count = seen.get(key) ?? 0
    if (count >= keptRuns) continue
    seen.set(key, count + 1)
    kept.push(entries[i]!)
  }
  return kept.reverse()
}

function needsCompaction(entries: readonly HistoryEntry[], keptRuns: number): boolean {
  const counts = new Map<string, number>()
  for (const entry of entries) {
    const key = entryKey(entry)
    const count = (counts.get(key) ?? 0) + 1
    if (count > keptRuns * 1.5) return true
    counts.set(key, count)
  }
  return false
}

export function entryKey(entry: Pick<HistoryEntry, 'project' | 'file'>): string {
  return `${entry.project}\0${entry.file}`
}

/** A run id: sortable by time, unique across machines. */
export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${Math.random().toString(16).slice(2, 8)}`
}

const OUTCOMES = new Set<string>(['passed', 'failed', 'budget', 'host-oom', 'v8-heap', 'crashed'])
const bytes = (v: unknown) => v === null || (typeof v === 'number' && Number.isFinite(v) && v >= 0)

function isEntry(value: unknown): value is HistoryEntry {
  if (typeof value !== 'object' || value === null) return false
  const e = value as Record<string, unknown>
  return (
    e.v === 1 &&
    typeof e.run === 'string' &&
    typeof e.at === 'string' &&
    typeof e.project === 'string' &&
    typeof e.file === 'string' &&
    OUTCOMES.has(e.outcome as string) &&
    bytes(e.peakBytes) &&
    bytes(e.limitBytes) &&
    typeof e.options === 'object' &&
    e.options !== null &&
    Array.isArray(e.tests) &&
    e.tests.every((t) => Array.isArray(t) && typeof t[0] === 'string' && bytes(t[1]))
  )
}
