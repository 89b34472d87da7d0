import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { HistoryEntry } from '@testcell/core'
import { describe, expect, inject, it } from 'vitest'
import { runVitest, runVitestAgain, VERSIONS } from './helpers.js'

const MiB = 1024 * 1024
const history = (dir: string): HistoryEntry[] =>
  existsSync(join(dir, '.testcell/memory-history.jsonl'))
    ? readFileSync(join(dir, '.testcell/memory-history.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
    : []
const reportModel = (dir: string) =>
  JSON.parse(/<script type="application\/json" id="testcell-memory-data">(.*?)<\/script>/s.exec(readFileSync(join(dir, 'memory-report.html'), 'utf8'))![1]!)

describe.each(VERSIONS)('Vitest %s: memory history, warnAt, report and budget suggestions', (version) => {
  it('each run appends to the history; files above warnAt are marked and listed; the suggested budgets are written and hold', async () => {
    const first = await runVitest(version, 'memory-history')
    expect(first.code, first.output).toBe(0)
    expect(first.output).toMatch(/! = above 30% of its budget/)
    expect(first.output).toMatch(/ ! {2}tests\/holds\.test\.ts +1\d\d\.\d MiB +256 MiB +[4-6]\d%/)
    expect(first.output).toMatch(/1 file is above 30% of the memory budget \(warnAt\): tests\/holds\.test\.ts [4-6]\d% \(1\d\d\.\d MiB of 256 MiB\)/)
    const entries = history(first.dir)
    expect(entries.map((e) => e.file).sort()).toEqual(['tests/holds.test.ts', 'tests/small.test.ts'])
    expect(entries.every((e) => e.outcome === 'passed' && e.limitBytes === 256 * MiB && e.run === entries[0]!.run)).toBe(true)
    expect(entries.find((e) => e.file === 'tests/holds.test.ts')!.peakBytes).toBeGreaterThan(100 * MiB)
    const model = reportModel(first.dir)
    expect(model.files.map((f: { file: string }) => f.file)).toEqual(['tests/holds.test.ts', 'tests/small.test.ts'])
    expect(model.files[0]).toMatchObject({ near: true, limitBytes: 256 * MiB })

    const second = await runVitestAgain(version, first.dir, ['run'])
    expect(second.code, second.output).toBe(0)
    expect(new Set(history(first.dir).map((e) => e.run)).size).toBe(2)
    expect(reportModel(first.dir).files[0].history).toHaveLength(2)

    const testcell = join(inject('e2eDir'), version, 'node_modules/.bin/testcell')
    const { stdout } = await promisify(execFile)(testcell, ['budgets', 'suggest', '--write', '--min-runs', '2'], { cwd: first.dir })
    expect(stdout).toMatch(/^tests\/holds\.test\.ts +2 +1\d\d\.\d MiB +1\d\d\.\d MiB +256MiB +1\d\dMiB$/m)
    expect(stdout).toMatch(/wrote tests\/small\.test\.ts: memory 256MiB -> \d+MiB/)
    const small = readFileSync(join(first.dir, 'tests/small.test.ts'), 'utf8')
    // Vitest reads this tag from any test file's text, this one included: spelled at run time.
    const tag = `@vitest-environment${'-'}options`
    expect(small).toMatch(new RegExp(`^// ${tag} \\{"memory":"\\d+MiB"\\}\\nimport \\{ expect, test \\} from 'vitest'\\n`))

    const third = await runVitestAgain(version, first.dir, ['run'])
    expect(third.code, third.output).toBe(0)
    const latest = history(first.dir).slice(-2)
    expect(latest.every((e) => e.limitBytes! < 256 * MiB)).toBe(true)
  })
})

describe.each(VERSIONS)('Vitest %s: sharded runs and --merge-reports', (version) => {
  it('shards leave the history and the report to the merge, which writes every file of the run once', async () => {
    const blob = (i: number) => ['--reporter=blob', `--outputFile.blob=blobs/blob-${i}-2.json`, `--shard=${i}/2`]
    const shard1 = await runVitest(version, 'memory-history', blob(1))
    const shard2 = await runVitestAgain(version, shard1.dir, ['run', ...blob(2)])
    expect([shard1.code, shard2.code], shard1.output + shard2.output).toEqual([0, 0])
    expect(history(shard1.dir)).toEqual([])
    expect(existsSync(join(shard1.dir, 'memory-report.html'))).toBe(false)
    const merged = await runVitestAgain(version, shard1.dir, ['run', '--merge-reports=blobs'])
    expect(merged.output).toMatch(/Container memory/)
    const entries = history(shard1.dir)
    expect(entries.map((e) => e.file).sort()).toEqual(['tests/holds.test.ts', 'tests/small.test.ts'])
    expect(new Set(entries.map((e) => e.run)).size).toBe(1)
    expect(reportModel(shard1.dir).files).toHaveLength(2)
  })
})
