import type { TestModule } from 'vitest/node'
import { type FileMemoryMeta, fileMemory, testMemory } from './meta.js'

export interface TestRow {
  name: string
  peakBytes: number | null
  shared: boolean
  state: string
}

/** One container file's memory figures, as the table, the summary and the report show them. */
export interface FileRow {
  project: string
  /** Relative to the project root. */
  file: string
  state: string
  peakBytes: number | null
  limitBytes: number | null
  verdict: NonNullable<FileMemoryMeta['verdict']> | null
  /** How its container ended early, in a few words (`killed by its memory limit`), if it did. */
  endedEarly?: string
  options: NonNullable<FileMemoryMeta['options']>
  samples: NonNullable<FileMemoryMeta['samples']> | null
  tests: TestRow[]
  heaviest: { name: string; peakBytes: number } | null
}

export function fileRows(testModules: readonly TestModule[]): FileRow[] {
  const rows: FileRow[] = []
  for (const module of testModules) {
    const memory = fileMemory(module.meta())
    if (!memory) continue
    const tests = [...module.children.allTests()].map((t) => {
      const m = testMemory(t.meta())
      return { name: t.fullName, peakBytes: m?.peakBytes ?? null, shared: m?.shared === true, state: t.result().state }
    })
    rows.push({
      project: module.project.name,
      file: module.relativeModuleId.split('\\').join('/'),
      state: module.state(),
      peakBytes: memory.peakBytes,
      limitBytes: memory.limitBytes,
      verdict: memory.verdict ?? null,
      ...(memory.endedEarly ? { endedEarly: memory.endedEarly } : {}),
      options: memory.options ?? {},
      samples: memory.samples ?? null,
      tests,
      heaviest: heaviestTest(tests),
    })
  }
  return sortWorstFirst(rows)
}

export function heaviestTest(tests: readonly Pick<TestRow, 'name' | 'peakBytes'>[]): { name: string; peakBytes: number } | null {
  let heaviest: { name: string; peakBytes: number } | null = null
  for (const t of tests)
    if (t.peakBytes !== null && (heaviest === null || t.peakBytes > heaviest.peakBytes)) heaviest = { name: t.name, peakBytes: t.peakBytes }
  return heaviest
}

/** Files killed by their budget first, then by share of the budget, then (no budget) by peak. */
export function sortWorstFirst<T extends Pick<FileRow, 'peakBytes' | 'limitBytes' | 'verdict'>>(rows: T[]): T[] {
  const killed = (r: T) => (r.verdict === 'budget' ? 1 : 0)
  return rows.sort((a, b) => killed(b) - killed(a) || share(b) - share(a) || (b.peakBytes ?? 0) - (a.peakBytes ?? 0))
}

export function share(row: Pick<FileRow, 'peakBytes' | 'limitBytes'>): number {
  return row.peakBytes !== null && row.limitBytes ? row.peakBytes / row.limitBytes : -1
}
