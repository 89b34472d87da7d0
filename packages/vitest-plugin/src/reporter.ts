import { relative } from 'node:path'
import { formatAmount, formatLimit } from '@testcell/core'
import type { Reporter, TestModule, Vitest } from 'vitest/node'
import { type ContainerMemoryMeta, MEMORY_META_KEY } from './pool/memory-meta.js'

interface Row {
  file: string
  peak: number | null
  limit: number | null
  /** What ended the container early, if anything. */
  endedEarly?: string | undefined
}

/**
 * Prints, at the end of a run, each container file's peak memory against its budget, worst first, and
 * which containers were killed. It reads the files' meta, so a `--merge-reports` run prints it too.
 */
export class MemoryReporter implements Reporter {
  private vitest: Vitest | undefined

  onInit(vitest: Vitest): void {
    this.vitest = vitest
  }

  onTestRunEnd(testModules: readonly TestModule[]): void {
    const rows = memoryRows(testModules, this.vitest?.config.root ?? process.cwd())
    if (rows.length === 0 || !this.vitest) return
    this.vitest.logger.log(formatMemoryTable(rows))
  }
}

export function memoryRows(testModules: readonly TestModule[], root: string): Row[] {
  const rows: Row[] = []
  for (const module of testModules) {
    const memory = (module.meta() as Record<string, unknown>)[MEMORY_META_KEY] as ContainerMemoryMeta | undefined
    if (!memory) continue
    rows.push({ file: relative(root, module.moduleId), peak: memory.peakBytes, limit: memory.limitBytes, endedEarly: memory.endedEarly })
  }
  return rows.sort((a, b) => share(b) - share(a) || (b.peak ?? 0) - (a.peak ?? 0))
}

function share(row: Row): number {
  return row.peak !== null && row.limit ? row.peak / row.limit : -1
}

export function formatMemoryTable(rows: readonly Row[]): string {
  const killed = rows.some((r) => r.endedEarly)
  const cells = rows.map((r) => [
    r.file,
    r.peak === null ? '?' : formatAmount(r.peak),
    r.limit === null ? '-' : formatLimit(r.limit),
    r.peak !== null && r.limit ? `${Math.round((r.peak / r.limit) * 100)}%` : '-',
    ...(killed ? [r.endedEarly ?? ''] : []),
  ])
  const header = ['file', 'peak', 'budget', 'share', ...(killed ? ['ended'] : [])]
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)))
  const align = (v: string, i: number) => (i === 0 || i === 4 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))
  const line = (c: string[]) => c.map(align).join('  ').trimEnd()
  return ['', ' Container memory (peak per test file, worst first)', ` ${line(header)}`, ...cells.map((c) => ` ${line(c)}`), ''].join('\n')
}
