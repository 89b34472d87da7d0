import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runVitest, runVitestAgain, VERSIONS } from './helpers.js'

const MiB = 1024 * 1024

interface ModelFile {
  file: string
  peakBytes: number
  verdict: string | null
  tests: { name: string; peakBytes: number | null }[]
  samples: { everyMs: number; kib: number[] } | null
}
const reportFiles = (dir: string): ModelFile[] =>
  JSON.parse(/<script type="application\/json" id="testcell-memory-data">(.*?)<\/script>/s.exec(readFileSync(join(dir, 'memory-report.html'), 'utf8'))![1]!)
    .files
const testPeak = (files: ModelFile[], file: string, test: string) => files.find((f) => f.file === file)!.tests.find((t) => t.name === test)!.peakBytes

// Every way a container file ends early, each done for real (fixtures/memory-verdicts), told apart and naming
// the test that was running; per-test peaks measured at each test's start and end.
describe.each(VERSIONS)('Vitest %s: every kind of end told apart', (version) => {
  it('budget, V8 heap limit and an outside SIGKILL each say what happened and in which test; a stop Vitest made is no crash', async () => {
    const run = await runVitest(version, 'memory-verdicts')
    expect(run.code).toBe(1)
    expect(run.output).toMatch(
      /aborted: V8's heap limit was reached \(JavaScript heap out of memory; heap limit 64 MiB from --max-old-space-size=64\), not the memory budget \(peak \d+\.\d MiB, budget 1 GiB\) while running tests\/heap\/heap\.test\.ts > fills the JavaScript heap/,
    )
    expect(run.output).toMatch(/killed: memory limit 96 MiB exceeded \(peak 9\d\.\d MiB\) while running tests\/kills\/budget\.test\.ts > loads > heavy test/)
    expect(run.output).toMatch(
      /killed by signal SIGKILL, not by a memory limit \(the kernel counted no OOM kill\) while running tests\/kills\/outside\.test\.ts > is killed from outside/,
    )
    expect(run.output).not.toMatch(/(exceeded|ran out of memory|heap limit)[^\n]*outside\.test\.ts/)
    for (const file of ['heap/heap', 'kills/budget', 'kills/outside']) expect(run.status(`tests/${file}.test.ts`), file).toBe('failed')
    expect(run.status('tests/kills/lingers.test.ts')).toBe('passed')
    expect(run.status('tests/kills/fine.test.ts')).toBe('passed')
    expect(run.output).not.toMatch(/while running tests\/kills\/lingers/)
    // The table: how each ended, each file's heaviest test.
    expect(run.output).toMatch(/tests\/kills\/budget\.test\.ts +9\d\.\d MiB +96 MiB +1\d\d% +killed by its memory limit +loads > heavy test \(9\d\.\d MiB\)/)
    expect(run.output).toMatch(/tests\/heap\/heap\.test\.ts +\d+\.\d MiB +1 GiB +\d+% +V8's heap limit reached +fills the JavaScript heap/)
    expect(run.output).toMatch(/tests\/kills\/fine\.test\.ts +\d+\.\d MiB +256 MiB +\d+% +holds 40 MiB \([4-9]\d\.\d MiB\)/)

    const files = reportFiles(run.dir)
    expect(files[0]!.file).toBe('tests/kills/budget.test.ts')
    expect(testPeak(files, 'tests/kills/fine.test.ts', 'holds 40 MiB')).toBeGreaterThan(40 * MiB)
    expect(testPeak(files, 'tests/kills/fine.test.ts', 'first')).toBeLessThan(testPeak(files, 'tests/kills/fine.test.ts', 'holds 40 MiB')! - 30 * MiB)
    expect(testPeak(files, 'tests/kills/budget.test.ts', 'loads > light test')).toBeLessThan(60 * MiB)
    expect(testPeak(files, 'tests/kills/budget.test.ts', 'loads > heavy test')).toBeGreaterThan(90 * MiB)
    expect(files.find((f) => f.file === 'tests/heap/heap.test.ts')!.verdict).toBe('v8-heap')
    expect(files.every((f) => (f.samples?.kib.length ?? 0) > 0)).toBe(true)
  })

  it('per-test peaks survive blob reports and --merge-reports', async () => {
    const first = await runVitest(version, 'memory-verdicts', ['--reporter=blob', '--outputFile.blob=blobs/blob-1-1.json'])
    const measured = reportFiles(first.dir)
    const merged = await runVitestAgain(version, first.dir, ['run', '--merge-reports=blobs'])
    expect(merged.output).toMatch(/tests\/kills\/budget\.test\.ts +9\d\.\d MiB +96 MiB +1\d\d% +killed by its memory limit +loads > heavy test/)
    const replayed = reportFiles(first.dir)
    for (const file of measured) {
      const again = replayed.find((f) => f.file === file.file)!
      expect(again.tests, file.file).toEqual(file.tests)
      expect(again.peakBytes).toBe(file.peakBytes)
    }
  })
})
