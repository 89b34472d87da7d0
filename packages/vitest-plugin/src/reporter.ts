import { basename, resolve } from 'node:path'
import { appendHistory, DEFAULT_HISTORY_PATH, formatAmount, formatLimit, type HistoryEntry, newRunId, readHistory } from '@testcell/core'
import type { Reporter, TestModule, Vitest } from 'vitest/node'
import { historyEntries } from './memory/history-entries.js'
import type { MemoryReportOptions } from './memory/options.js'
import { type FileRow, fileRows } from './memory/rows.js'
import { nearBudget, nearBudgetSummary } from './memory/warn.js'
import { buildReportModel } from './report/model.js'
import { writeReport } from './report/write.js'

/** A table row: the file's peak against its budget, how its container ended early (if it did), its heaviest test. */
export type Row = Pick<FileRow, 'file' | 'peakBytes' | 'limitBytes' | 'heaviest'> & Partial<Pick<FileRow, 'endedEarly'>>

/**
 * At the end of a run: prints each container file's peak against its budget (worst first, with its heaviest
 * test, files above `warnAt` marked and listed), appends the run to the memory history, and writes the HTML
 * report. All of it comes from the files' and tests' meta, so a --merge-reports run does the same for the
 * merged shards; a --shard run leaves the history and the report to the merge, and watch mode writes no history.
 */
export class MemoryReporter implements Reporter {
  private vitest: Vitest | undefined

  constructor(private readonly options: MemoryReportOptions = {}) {}

  onInit(vitest: Vitest): void {
    this.vitest = vitest
  }

  onTestRunEnd(testModules: readonly TestModule[]): void {
    const vitest = this.vitest
    if (!vitest) return
    const rows = fileRows(testModules)
    if (rows.length === 0) return
    const { warnAt } = this.options
    vitest.logger.log(formatMemoryTable(rows, warnAt))
    const near = rows.filter((r) => nearBudget(r.peakBytes, r.limitBytes, warnAt))
    const summary = warnAt === undefined ? null : nearBudgetSummary(near as { file: string; peakBytes: number; limitBytes: number }[], warnAt)
    if (summary) vitest.logger.log(`${summary}\n`)
    const history = this.writeHistory(vitest, testModules)
    if (this.options.report && !vitest.config.shard) {
      const path = resolve(vitest.config.root, this.options.report)
      const model = buildReportModel(rows, {
        warnAt: warnAt ?? null,
        history,
        title: `Container memory: ${vitest.config.name || basename(vitest.config.root)}`,
      })
      writeReport(path, model)
      vitest.logger.log(` Memory report: ${path}\n`)
    }
  }

  /** Appends this run to each project's history; returns every project's history (for the report's trends). */
  private writeHistory(vitest: Vitest, testModules: readonly TestModule[]): HistoryEntry[] {
    if (this.options.history === false) return []
    const relative = this.options.history ?? DEFAULT_HISTORY_PATH
    const writes = !vitest.config.watch && !vitest.config.shard
    const entries = historyEntries(testModules, newRunId(), new Date().toISOString())
    const byPath = new Map<string, HistoryEntry[]>()
    for (const module of testModules) {
      const path = resolve(module.project.config.root, relative)
      if (!byPath.has(path)) byPath.set(path, [])
    }
    for (const entry of entries) {
      const project = testModules.find((m) => m.project.name === entry.project)?.project
      byPath.get(resolve(project?.config.root ?? vitest.config.root, relative))?.push(entry)
    }
    const all: HistoryEntry[] = []
    for (const [path, list] of byPath) {
      try {
        if (writes) appendHistory(path, list)
        all.push(...readHistory(path).entries)
        if (!writes) all.push(...list)
      } catch (error) {
        vitest.logger.warn(`[vitest-environment-container] could not write the memory history ${path}: ${(error as Error).message}`)
      }
    }
    return all
  }
}

export function formatMemoryTable(rows: readonly Row[], warnAt?: number): string {
  const ended = rows.some((r) => r.endedEarly)
  const marked = rows.some((r) => nearBudget(r.peakBytes, r.limitBytes, warnAt))
  const cells = rows.map((r) => [
    nearBudget(r.peakBytes, r.limitBytes, warnAt) ? '!' : '',
    r.file,
    r.peakBytes === null ? '?' : formatAmount(r.peakBytes),
    r.limitBytes === null ? '-' : formatLimit(r.limitBytes),
    r.peakBytes !== null && r.limitBytes ? `${Math.round((r.peakBytes / r.limitBytes) * 100)}%` : '-',
    r.endedEarly ?? '',
    r.heaviest ? `${shorten(r.heaviest.name, 48)} (${formatAmount(r.heaviest.peakBytes)})` : '',
  ])
  const header = ['', 'file', 'peak', 'budget', 'share', 'ended', 'heaviest test']
  const shown = header.map((_, i) => (i === 0 ? marked : i === 5 ? ended : i === 6 ? rows.some((r) => r.heaviest) : true))
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)))
  const line = (c: string[]) =>
    c
      .map((v, i) => (i <= 1 || i >= 5 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!)))
      .filter((_, i) => shown[i])
      .join('  ')
      .trimEnd()
  const legend = warnAt !== undefined ? `; ! = above ${Math.round(warnAt * 100)}% of its budget` : ''
  return ['', ` Container memory (peak per test file, worst first${legend})`, ` ${line(header)}`, ...cells.map((c) => ` ${line(c)}`), ''].join('\n')
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}
