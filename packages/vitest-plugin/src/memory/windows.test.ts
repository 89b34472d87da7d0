import { describe, expect, it } from 'vitest'
import { StderrTail } from './stderr-tail.js'
import { TestWindows } from './test-windows.js'
import { nearBudget, nearBudgetSummary } from './warn.js'

const MiB = 1024 * 1024

describe('warnAt', () => {
  it('flags a peak at or above the share of its budget, and lists such files', () => {
    expect(nearBudget(90 * MiB, 100 * MiB, 0.9)).toBe(true)
    expect(nearBudget(89 * MiB, 100 * MiB, 0.9)).toBe(false)
    expect(nearBudget(99 * MiB, null, 0.9)).toBe(false)
    expect(nearBudget(99 * MiB, 100 * MiB, undefined)).toBe(false)
    expect(nearBudgetSummary([{ file: 'a.test.ts', peakBytes: 60 * MiB, limitBytes: 64 * MiB }], 0.9)).toBe(
      ' 1 file is above 90% of the memory budget (warnAt): a.test.ts 94% (60.0 MiB of 64 MiB)',
    )
    expect(nearBudgetSummary([], 0.9)).toBeNull()
  })
})

describe('TestWindows', () => {
  function tracker(values: (number | null)[]) {
    const calls: string[] = []
    return {
      calls,
      reset: () => calls.push('reset'),
      read: () => {
        calls.push('read')
        return values.shift() ?? null
      },
    }
  }

  it('gives sequential tests their own window: one read and one reset per start and end', () => {
    const t = tracker([50, 70, 40, 30, 45])
    const windows = new TestWindows(t)
    windows.start('a', 'suite > a') // 50: before a, nobody's
    windows.end('a') // 70: a's
    windows.start('b', 'suite > b') // 40: between tests
    expect(windows.runningTests()).toEqual(['suite > b'])
    windows.end('b') // 30
    windows.close() // 45: after the last test
    expect(Object.fromEntries(windows.peaks())).toEqual({
      a: { name: 'suite > a', peakBytes: 70, shared: false },
      b: { name: 'suite > b', peakBytes: 30, shared: false },
    })
    expect(t.calls.join(' ')).toBe('read reset read reset read reset read reset read reset')
  })

  it('credits overlapping (concurrent) tests with every window they ran in, marked shared', () => {
    const windows = new TestWindows(tracker([0, 10, 80, 20]))
    windows.start('a', 'a')
    windows.start('b', 'b') // 10 → a
    windows.end('a') // 80 → a, b
    windows.end('b') // 20 → b
    expect(windows.peaks().get('a')).toEqual({ name: 'a', peakBytes: 80, shared: true })
    expect(windows.peaks().get('b')).toEqual({ name: 'b', peakBytes: 80, shared: true })
  })
})

describe('StderrTail', () => {
  it('keeps the last bytes written', () => {
    const tail = new StderrTail(10)
    tail.push('0123456789')
    tail.push(Buffer.from('abcdef'))
    expect(tail.text()).toBe('6789abcdef')
  })
})
