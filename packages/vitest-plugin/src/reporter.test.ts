import { describe, expect, it } from 'vitest'
import { formatMemoryTable } from './reporter.js'

const MiB = 1024 * 1024

describe('formatMemoryTable', () => {
  it('prints peak, budget and share per file', () => {
    const table = formatMemoryTable([
      { file: 'tests/leak.test.ts', peak: 96 * MiB, limit: 96 * MiB },
      { file: 'tests/small.test.ts', peak: 20 * MiB, limit: 256 * MiB },
      { file: 'tests/unknown.test.ts', peak: null, limit: null },
    ])
    expect(table).toMatch(/tests\/leak\.test\.ts +96\.0 MiB +96 MiB +100%/)
    expect(table).toMatch(/tests\/small\.test\.ts +20\.0 MiB +256 MiB +8%/)
    expect(table).toMatch(/tests\/unknown\.test\.ts +\? +- +-/)
  })
})
