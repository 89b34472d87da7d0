import { describe, expect, it } from 'vitest'
import { formatMemoryTable } from './reporter.js'

const MiB = 1024 * 1024

describe('formatMemoryTable', () => {
  it('prints peak, budget, share, how it ended and the heaviest test per file; marks files near their budget', () => {
    const table = formatMemoryTable(
      [
        {
          file: 'tests/leak.test.ts',
          peakBytes: 96 * MiB,
          limitBytes: 96 * MiB,
          heaviest: { name: 'leaks > forever', peakBytes: 95 * MiB },
          endedEarly: 'killed by its memory limit',
        },
        { file: 'tests/near.test.ts', peakBytes: 58 * MiB, limitBytes: 64 * MiB, heaviest: null },
        { file: 'tests/small.test.ts', peakBytes: 20 * MiB, limitBytes: 256 * MiB, heaviest: { name: 'x'.repeat(60), peakBytes: 19 * MiB } },
        { file: 'tests/unknown.test.ts', peakBytes: null, limitBytes: null, heaviest: null },
      ],
      0.9,
    )
    expect(table).toMatch(/worst first; ! = above 90% of its budget\)\n +file +peak +budget +share +ended +heaviest test\n/)
    expect(table).toMatch(/ ! {2}tests\/leak\.test\.ts +96\.0 MiB +96 MiB +100% {2}killed by its memory limit {2}leaks > forever \(95\.0 MiB\)/)
    expect(table).toMatch(/ ! {2}tests\/near\.test\.ts +58\.0 MiB +64 MiB +91%$/m)
    expect(table).toMatch(/ {4}tests\/small\.test\.ts +20\.0 MiB +256 MiB +8% {2,}x{47}… \(19\.0 MiB\)/)
    expect(table).toMatch(/tests\/unknown\.test\.ts +\? +- +-$/m)
  })

  it('shows only the columns something fills', () => {
    const table = formatMemoryTable([{ file: 'tests/a.test.ts', peakBytes: 20 * MiB, limitBytes: 256 * MiB, heaviest: null }])
    expect(table.split('\n').slice(2, 4)).toEqual([' file                 peak   budget  share', ' tests/a.test.ts  20.0 MiB  256 MiB     8%'])
  })
})
