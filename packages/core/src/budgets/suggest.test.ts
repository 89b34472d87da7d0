import { describe, expect, it } from 'vitest'
import { parseBudgetsArgs } from '../cli/budgets.js'
import { compact, type HistoryEntry, parseHistory } from './history.js'
import { formatBudget, roundUpReadable } from './readable-size.js'
import { nearestRank, suggestBudgets } from './suggest.js'
import { formatSuggestions } from './table.js'

const MiB = 1024 * 1024
let run = 0
function entry(file: string, peakMiB: number | null, extra: Partial<HistoryEntry> = {}): HistoryEntry {
  run++
  return {
    v: 1,
    run: `r${run}`,
    at: new Date(2025, 0, 1, 0, run).toISOString(),
    project: '',
    file,
    outcome: 'passed',
    peakBytes: peakMiB === null ? null : peakMiB * MiB,
    limitBytes: 256 * MiB,
    options: { memory: '256MiB' },
    tests: [],
    ...extra,
  }
}

describe('readable sizes', () => {
  it('rounds up to 16 MiB steps below 256 MiB, 64 MiB below 1 GiB, 256 MiB below 4 GiB, then GiB', () => {
    expect([1, 17, 96, 97, 256, 300, 1025, 4097].map((m) => formatBudget(roundUpReadable(m * MiB)))).toEqual([
      '16MiB',
      '32MiB',
      '96MiB',
      '112MiB',
      '256MiB',
      '320MiB',
      '1.25GiB',
      '5GiB',
    ])
  })
})

describe('suggestBudgets', () => {
  it('p95 (nearest rank) of the recent finished peaks, plus 25% (at least 16 MiB), rounded up', () => {
    const history = [20, 22, 21, 23, 40, 22].map((m) => entry('tests/a.test.ts', m))
    const [s] = suggestBudgets(history)
    expect(s).toMatchObject({ runs: 6, maxBytes: 40 * MiB, percentileBytes: 40 * MiB, currentBytes: 256 * MiB, suggestedBytes: 64 * MiB, note: null })
    const many = Array.from({ length: 40 }, (_, i) => entry('tests/b.test.ts', i < 39 ? 200 : 900))
    expect(suggestBudgets(many)[0]).toMatchObject({ runs: 20, percentileBytes: 200 * MiB, suggestedBytes: 256 * MiB })
  })

  it('gives no suggestion for a file killed by its budget recently, or with too few runs', () => {
    const killed = [entry('k.test.ts', 50), entry('k.test.ts', 50), entry('k.test.ts', 96, { outcome: 'budget', limitBytes: 96 * MiB })]
    expect(suggestBudgets(killed)[0]).toMatchObject({ suggestedBytes: null, note: expect.stringMatching(/killed by its budget in 1 of the last 3 runs/) })
    expect(suggestBudgets([entry('few.test.ts', 30)])[0]).toMatchObject({ suggestedBytes: null, note: '1 finished run with a peak; 3 needed' })
  })

  it('leaves crashed runs and unmeasured peaks out of the percentile', () => {
    const history = [30, 31, 32].map((m) => entry('c.test.ts', m))
    history.push(entry('c.test.ts', 900, { outcome: 'host-oom' }), entry('c.test.ts', null))
    expect(suggestBudgets(history)[0]).toMatchObject({ runs: 3, maxBytes: 32 * MiB })
  })

  it('counts a run once per file even if the file appears twice in it', () => {
    const twice = [entry('t.test.ts', 10), { ...entry('t.test.ts', 99), run: 'r-same' }, { ...entry('t.test.ts', 11), run: 'r-same' }]
    expect(suggestBudgets(twice, { minRuns: 1 })[0]).toMatchObject({ runs: 2, maxBytes: 11 * MiB })
  })

  it('nearest rank', () => {
    expect(nearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95)).toBe(10)
    expect(
      nearestRank(
        Array.from({ length: 100 }, (_, i) => i + 1),
        0.95,
      ),
    ).toBe(95)
  })

  it('prints file, runs, max, p95, current and suggested budget, and the notes', () => {
    const table = formatSuggestions(suggestBudgets([...[20, 22, 40].map((m) => entry('tests/a.test.ts', m)), entry('tests/new.test.ts', 5)]))
    expect(table.split('\n')).toEqual([
      'file               runs       max       p95  budget  suggested',
      'tests/a.test.ts       3  40.0 MiB  40.0 MiB  256MiB      64MiB',
      'tests/new.test.ts     1   5.0 MiB   5.0 MiB  256MiB          -',
      '',
      '  tests/new.test.ts: 1 finished run with a peak; 3 needed',
    ])
  })
})

describe('history', () => {
  it('parses JSON lines and reports the lines that are not entries', () => {
    const good = JSON.stringify(entry('a.test.ts', 1))
    const parsed = parseHistory(`${good}\n<<<<<<< HEAD\n{"v":2}\n\n${good}\n`)
    expect(parsed.entries).toHaveLength(2)
    expect(parsed.invalidLines).toEqual([2, 3])
  })

  it('compaction keeps the newest runs of each file, in order', () => {
    const entries = [entry('a', 1), entry('b', 1), entry('a', 2), entry('a', 3), entry('b', 2)]
    expect(compact(entries, 2).map((e) => `${e.file}${e.peakBytes! / MiB}`)).toEqual(['b1', 'a2', 'a3', 'b2'])
  })
})

describe('budgets arguments', () => {
  it('defaults the history to ROOT/.testcell/memory-history.jsonl', () => {
    expect(parseBudgetsArgs(['suggest'], '/p')).toEqual({ write: false, history: '/p/.testcell/memory-history.jsonl', root: '/p', project: null, minRuns: 3 })
    expect(parseBudgetsArgs(['suggest', '--write', '--root', 'sub', '--history', 'h.jsonl', '--min-runs', '5'], '/p')).toMatchObject({
      write: true,
      root: '/p/sub',
      history: '/p/h.jsonl',
      minRuns: 5,
    })
  })

  it('names a bad argument and the expected form', () => {
    expect(() => parseBudgetsArgs(['propose'], '/p')).toThrow(/invalid budgets command: "propose"; expected "suggest"/)
    expect(() => parseBudgetsArgs(['suggest', '--min-runs', '0'], '/p')).toThrow(/invalid --min-runs: "0"/)
    expect(() => parseBudgetsArgs(['suggest', '--nope'], '/p')).toThrow(/invalid budgets suggest option: "--nope"/)
  })
})
