import { formatAmount } from '../options/size.js'
import { formatBudget } from './readable-size.js'
import type { Suggestion } from './suggest.js'

/** The `testcell budgets suggest` table: file, runs, max, p95, current budget, suggested; notes below. */
export function formatSuggestions(suggestions: readonly Suggestion[]): string {
  const named = new Set(suggestions.map((s) => s.project)).size > 1
  const cells = suggestions.map((s) => [
    named && s.project ? `[${s.project}] ${s.file}` : s.file,
    String(s.runs),
    s.maxBytes === null ? '-' : formatAmount(s.maxBytes),
    s.percentileBytes === null ? '-' : formatAmount(s.percentileBytes),
    currentBudget(s),
    s.suggestedBytes === null ? '-' : formatBudget(s.suggestedBytes),
  ])
  const header = ['file', 'runs', 'max', 'p95', 'budget', 'suggested']
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)))
  const line = (c: string[]) =>
    c
      .map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!)))
      .join('  ')
      .trimEnd()
  const notes = suggestions.filter((s) => s.note).map((s) => `  ${s.file}: ${s.note}`)
  return [line(header), ...cells.map(line), ...(notes.length > 0 ? ['', ...notes] : [])].join('\n')
}

/** The file's budget in its latest run, as written (`256MiB`), or `none`. */
export function currentBudget(s: Pick<Suggestion, 'currentText' | 'currentBytes'>): string {
  return s.currentText ?? (s.currentBytes === null ? 'none' : formatBudget(s.currentBytes))
}
