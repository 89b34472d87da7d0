import { entryKey, type HistoryEntry, type RunOutcome } from '@testcell/core'
import { type FileRow, share, sortWorstFirst } from '../memory/rows.js'
import { nearBudget } from '../memory/warn.js'

/** Everything the HTML report shows, embedded in the page as JSON (the page renders it; nothing is fetched). */
export interface ReportModel {
  v: 1
  title: string
  generatedAt: string
  warnAt: number | null
  /** Worst first: killed by the budget, then by share of the budget, then by peak. */
  files: ReportFile[]
}

export interface ReportFile {
  project: string
  file: string
  state: string
  peakBytes: number | null
  limitBytes: number | null
  /** peak / budget, null without a budget or a peak. */
  share: number | null
  /** At or above warnAt of the budget. */
  near: boolean
  /** How the container ended early, if it did (`budget`, `host-oom`, `v8-heap`, `signal`, `exit`). */
  verdict: string | null
  tests: { name: string; peakBytes: number | null; shared: boolean; state: string }[]
  /** Memory over time, the highest reading per span of `everyMs` (KiB). */
  samples: { everyMs: number; kib: number[] } | null
  /** This file's earlier runs and this one, oldest first. */
  history: { at: string; peakBytes: number | null; limitBytes: number | null; outcome: RunOutcome }[]
}

export function buildReportModel(rows: readonly FileRow[], input: { warnAt: number | null; history: readonly HistoryEntry[]; title: string }): ReportModel {
  const byFile = new Map<string, HistoryEntry[]>()
  for (const entry of input.history) {
    const key = entryKey(entry)
    byFile.set(key, [...(byFile.get(key) ?? []), entry])
  }
  return {
    v: 1,
    title: input.title,
    generatedAt: new Date().toISOString(),
    warnAt: input.warnAt,
    files: sortWorstFirst([...rows]).map((row) => ({
      project: row.project,
      file: row.file,
      state: row.state,
      peakBytes: row.peakBytes,
      limitBytes: row.limitBytes,
      share: share(row) < 0 ? null : share(row),
      near: nearBudget(row.peakBytes, row.limitBytes, input.warnAt ?? undefined),
      verdict: row.verdict,
      tests: row.tests,
      samples: row.samples,
      history: (byFile.get(entryKey(row)) ?? []).map((e) => ({ at: e.at, peakBytes: e.peakBytes, limitBytes: e.limitBytes, outcome: e.outcome })),
    })),
  }
}
