import { entryKey, type HistoryEntry } from './history.js'
import { roundUpReadable } from './readable-size.js'

const MiB = 1024 * 1024

export interface SuggestOptions {
  /** How many of each file's most recent runs count (default 20). */
  runs?: number
  /** The percentile of those runs' peaks the budget is built on (default 0.95). */
  percentile?: number
  /** Headroom above that percentile (default 0.25: 25%), at least `minMarginBytes`. */
  margin?: number
  /** Smallest headroom in bytes (default 16 MiB). */
  minMarginBytes?: number
  /** Runs a file needs before a budget is suggested (default 3). */
  minRuns?: number
}

export interface Suggestion {
  project: string
  file: string
  /** Recent runs with a measured peak that finished (passed or failed on their own). */
  runs: number
  maxBytes: number | null
  percentileBytes: number | null
  /** The budget of the latest run, in bytes and as written. */
  currentBytes: number | null
  currentText: string | null
  suggestedBytes: number | null
  /** Why there is no suggestion, or what to know about it. */
  note: string | null
}

/**
 * A budget per file from its history: the p95 (nearest rank) of the peaks of its last 20 finished runs, plus
 * 25% (at least 16 MiB), rounded up to a readable size. The margin absorbs what varies between runs and
 * machines (GC timing, page cache, thread pools sized by CPU count); the 16 MiB floor keeps a small file's
 * budget out of the noise of Node's own footprint. Runs killed by their budget only say the need was above
 * it, so a file killed recently gets no suggestion; crashed runs (host OOM, V8 heap, signals) are left out.
 */
export function suggestBudgets(entries: readonly HistoryEntry[], options: SuggestOptions = {}): Suggestion[] {
  const { runs = 20, percentile = 0.95, margin = 0.25, minMarginBytes = 16 * MiB, minRuns = 3 } = options
  const byFile = new Map<string, HistoryEntry[]>()
  for (const entry of entries) {
    const key = entryKey(entry)
    byFile.set(key, [...(byFile.get(key) ?? []), entry])
  }
  const suggestions: Suggestion[] = []
  for (const fileEntries of byFile.values()) {
    const recent = lastRuns(fileEntries, runs)
    const latest = recent[recent.length - 1]!
    const finished = recent.filter((e) => (e.outcome === 'passed' || e.outcome === 'failed') && e.peakBytes !== null)
    const peaks = finished.map((e) => e.peakBytes!).sort((a, b) => a - b)
    const killed = recent.filter((e) => e.outcome === 'budget').length
    const p = peaks.length > 0 ? nearestRank(peaks, percentile) : null
    let suggestedBytes: number | null = null
    let note: string | null = null
    if (killed > 0) {
      note = `killed by its budget in ${killed} of the last ${recent.length} runs: its need above the budget is unknown; raise the budget, then suggest again`
    } else if (peaks.length < minRuns) {
      note = `${peaks.length} finished run${peaks.length === 1 ? '' : 's'} with a peak; ${minRuns} needed`
    } else {
      suggestedBytes = roundUpReadable(p! + Math.max(p! * margin, minMarginBytes))
    }
    suggestions.push({
      project: latest.project,
      file: latest.file,
      runs: peaks.length,
      maxBytes: peaks.length > 0 ? peaks[peaks.length - 1]! : null,
      percentileBytes: p,
      currentBytes: latest.limitBytes,
      currentText: latest.options.memory === undefined ? null : String(latest.options.memory),
      suggestedBytes,
      note,
    })
  }
  return suggestions.sort((a, b) => a.project.localeCompare(b.project) || a.file.localeCompare(b.file))
}

/** The entries of the last `count` distinct runs (one entry per run; a file appears once per run). */
function lastRuns(entries: readonly HistoryEntry[], count: number): HistoryEntry[] {
  const byRun = new Map<string, HistoryEntry>()
  for (const entry of entries) {
    byRun.delete(entry.run)
    byRun.set(entry.run, entry)
  }
  return [...byRun.values()].slice(-count)
}

/** Nearest-rank percentile of ascending `sorted`: with fewer than 20 values p95 is the maximum. */
export function nearestRank(sorted: readonly number[], percentile: number): number {
  const rank = Math.ceil(percentile * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!
}
