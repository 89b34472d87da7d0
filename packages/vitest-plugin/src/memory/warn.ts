import { formatAmount, formatLimit } from '@testcell/core'

/** A file whose peak is at or above `warnAt` of its budget: close to being killed by it. */
export function nearBudget(peakBytes: number | null, limitBytes: number | null, warnAt: number | undefined): boolean {
  return warnAt !== undefined && peakBytes !== null && limitBytes !== null && peakBytes >= warnAt * limitBytes
}

/** The summary line listing the files near their budget, or null when there are none. */
export function nearBudgetSummary(files: readonly { file: string; peakBytes: number; limitBytes: number }[], warnAt: number): string | null {
  if (files.length === 0) return null
  const list = files.map((f) => `${f.file} ${Math.round((f.peakBytes / f.limitBytes) * 100)}% (${formatAmount(f.peakBytes)} of ${formatLimit(f.limitBytes)})`)
  const count = files.length === 1 ? '1 file is' : `${files.length} files are`
  return ` ${count} above ${Math.round(warnAt * 100)}% of the memory budget (warnAt): ${list.join(', ')}`
}
