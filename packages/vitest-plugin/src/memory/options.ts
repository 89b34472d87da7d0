import { OptionError } from '@testcell/core'

/** Plugin options about memory figures (plugin-level only: not per file). */
export interface MemoryReportOptions {
  /** Flag files whose peak reaches this share of their budget (0 < warnAt <= 1), e.g. 0.9. */
  warnAt?: number
  /** Write an HTML memory report to this path (relative to the root), e.g. 'memory-report.html'. */
  report?: string | false
  /** The memory history file (relative to the root; default `.testcell/memory-history.jsonl`), or false for none. */
  history?: string | false
}

export const MEMORY_REPORT_KEYS = ['warnAt', 'report', 'history'] as const

/** Checks the memory options of `container()`; throws an OptionError naming the option, the value and the form. */
export function checkMemoryReportOptions(options: Record<string, unknown>, source: string): MemoryReportOptions {
  const { warnAt, report, history } = options
  if (warnAt !== undefined && (typeof warnAt !== 'number' || !(warnAt > 0 && warnAt <= 1))) {
    throw new OptionError('warnAt', warnAt, 'a share of the budget above 0 and at most 1, such as 0.9', { source })
  }
  for (const [name, value] of [
    ['report', report],
    ['history', history],
  ] as const) {
    if (value !== undefined && value !== false && (typeof value !== 'string' || value.trim() === '')) {
      throw new OptionError(name, value, 'a file path relative to the project root, or false', { source })
    }
  }
  return options as MemoryReportOptions
}
