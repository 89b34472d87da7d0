import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { MemorySampler, mergePairs } from './sampler.js'

const dir = mkdtempSync(join(tmpdir(), 'testcell-sampler-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('MemorySampler', () => {
  it('keeps at most maxValues, merging neighbours (their max) and doubling the span of a value', () => {
    const file = join(dir, 'memory.current')
    const seen: number[] = []
    using sampler = new MemorySampler(file, { intervalMs: 10, maxValues: 4, onSample: (b) => seen.push(b) })
    expect(sampler.sample()).toBeNull() // not created yet
    for (const value of [1, 5, 2, 3, 9, 4, 7]) {
      writeFileSync(file, `${value}\n`)
      sampler.sample()
    }
    expect(seen).toEqual([1, 5, 2, 3, 9, 4, 7])
    // [1,5,2,3] full → [5,3] every 20 ms; 9,4 fill [9]; 7 starts the next
    expect(sampler.samples()).toEqual({ everyMs: 20, values: [5, 3, 9, 7] })
    writeFileSync(file, '8\n')
    sampler.sample()
    expect(sampler.samples()).toEqual({ everyMs: 20, values: [5, 3, 9, 8] })
    writeFileSync(file, '6\n')
    sampler.sample()
    expect(sampler.samples()).toEqual({ everyMs: 40, values: [5, 9, 6] })
  })

  it('merges pairs, an odd last value alone', () => {
    expect(mergePairs([1, 2, 9, 3, 4])).toEqual([2, 9, 4])
  })
})
