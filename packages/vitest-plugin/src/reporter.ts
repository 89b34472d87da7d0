import { relative } from 'node:path'
import { formatAmount, formatLimit } from '@testcell/core'
import type { Reporter, TestModule, Vitest } from 'vitest/node'
import { type ContainerMemoryMeta, MEMORY_META_KEY } from './pool/file-state.js'

interface Row {
  file: string
  peak: number | null
  limit: number | null
}

/** Prints, at the end of a run, each container file's peak memory against its budget, worst first. */
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
    rows.push({ file: relative(root, module.moduleId), peak: memory.peakBytes, limit: memory.limitBytes })
  }
  return rows.sort((a, b) => share(b) - share(a) || (b.peak ?? 0) - (a.peak ?? 0))
}

function share(row: Row): number {
  return row.peak !== null && row.limit ? row.peak / row.limit : -1
}

export function formatMemoryTable(rows: readonly Row[]): string {
  const cells = rows.map((r) => [
    r.file,
    r.peak === null ? '?' : formatAmount(r.peak),
    r.limit === null ? '-' : formatLimit(r.limit),
    r.peak !== null && r.limit ? `${Math.round((r.peak / r.limit) * 100)}%` : '-',
  ])
  const header = ['file', 'peak', 'budget', 'share']
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)))
  const line = (c: string[]) => c.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ')
  return ['', ' Container memory (peak per test file, worst first)', ` ${line(header)}`, ...cells.map((c) => ` ${line(c)}`), ''].join('\n')
}
