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
    expect(table).toMatch(/tests\/leak\.test\.ts +96\.0 MiB +96 MiB +100%\n/)
    expect(table).toMatch(/tests\/small\.test\.ts +20\.0 MiB +256 MiB +8%/)
    expect(table).toMatch(/tests\/unknown\.test\.ts +\? +- +-/)
    expect(table).not.toMatch(/ended/)
  })

  it('says which containers were killed, and by what', () => {
    const table = formatMemoryTable([
      { file: 'tests/leak.test.ts', peak: 96 * MiB, limit: 96 * MiB, endedEarly: 'killed by its memory limit' },
      { file: 'tests/fine.test.ts', peak: 20 * MiB, limit: 96 * MiB },
    ])
    expect(table).toMatch(/file +peak +budget +share +ended\n/)
    expect(table).toMatch(/tests\/leak\.test\.ts +96\.0 MiB +96 MiB +100% +killed by its memory limit\n/)
    expect(table).toMatch(/tests\/fine\.test\.ts +20\.0 MiB +96 MiB +21%\n/)
  })
})
