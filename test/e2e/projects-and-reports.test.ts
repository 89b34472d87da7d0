import { describe, expect, it } from 'vitest'
import { runVitest, runVitestAgain, VERSIONS } from './helpers.js'

describe.each(VERSIONS)('Vitest %s: projects', (version) => {
  it('projects inheriting the root config (extends: true) get the container pool; their other files keep their own pool (threads, vmThreads)', async () => {
    const run = await runVitest(version, 'projects')
    expect(run.code, run.output).toBe(0)
    expect(run.status('tests/a/contained.test.ts')).toBe('passed')
    expect(run.status('tests/b/plain.test.ts')).toBe('passed')
    expect(run.status('tests/c/vm.test.ts')).toBe('passed')
  })

  it("a monorepo run from its root: relative volume sources resolve against each project's root, paths with ':' work", async () => {
    const run = await runVitest(version, 'monorepo')
    expect(run.code, run.output).toBe(0)
    expect(run.status('packages/app/tests/volumes.test.ts')).toBe('passed')
    expect(run.status('packages/lib/tests/plain.test.ts')).toBe('passed')
  })

  it('isolate: false with one worker: each container file still gets a container of its own, and the log says why isolate is on', async () => {
    const run = await runVitest(version, 'no-isolate')
    expect(run.code, run.output).toBe(0)
    for (const file of ['one', 'two', 'plain']) expect(run.status(`tests/${file}.test.ts`)).toBe('passed')
    expect(run.output).toMatch(/isolate: false with a single worker would run several test files in one container, so this project runs with isolate: true/)
  })
})

describe.each(VERSIONS)('Vitest %s: blob reports and --merge-reports', (version) => {
  it("keep each file's peak memory and how its container ended: the merged run prints the memory table without running containers", async () => {
    const first = await runVitest(version, 'memory', ['--reporter=blob', '--outputFile.blob=blobs/blob-1-1.json'])
    expect(first.code).toBe(1)
    const merged = await runVitestAgain(version, first.dir, ['run', '--merge-reports=blobs'])
    expect(merged.code).toBe(1)
    expect(merged.output).toMatch(/Container memory/)
    expect(merged.output).toMatch(/tests\/leak\.test\.ts +9\d\.\d MiB +96 MiB +1\d\d% +killed by its memory limit/)
    expect(merged.output).toMatch(/tests\/sigkill\.test\.ts +\d+\.\d MiB +256 MiB +\d+% +killed by SIGKILL/)
    expect(merged.output).toMatch(/Tests +21 passed \(31\)/)
    for (const file of ['leak', 'midway', 'sigkill']) expect(merged.status(`tests/${file}.test.ts`)).toBe('failed')
  })
})

describe('where containers cannot run', () => {
  const unsupported = { TESTCELL_LAUNCHER: '/nonexistent/testcell-launcher' }

  it("onUnsupported: 'error' fails the run at start with the doctor's diagnosis and what to do", async () => {
    const run = await runVitest('v5', 'unsupported', [], unsupported)
    expect(run.code).toBe(1)
    expect(run.output).toMatch(/this host cannot run containers \(run `testcell doctor` for details; set onUnsupported: 'warn'/)
    expect(run.output).toMatch(/launcher-missing: TESTCELL_LAUNCHER=\/nonexistent\/testcell-launcher is not an executable file/)
    // Both files fail to start, the diagnosis is printed once.
    expect(run.output).toMatch(/one\.test\.ts/)
    expect(run.output).toMatch(/two\.test\.ts/)
    expect(run.output.match(/set onUnsupported: 'warn'/g)).toHaveLength(1)
  })

  it.each(VERSIONS)(
    "Vitest %s: onUnsupported: 'warn' runs container files in Vitest's own forks worker after one warning for the whole run",
    async (version) => {
      const run = await runVitest(version, 'unsupported', [], { ...unsupported, ON_UNSUPPORTED: 'warn' })
      expect(run.code, run.output).toBe(0)
      expect(run.output.match(/container files run as plain forked files without isolation/g)).toHaveLength(1)
    },
  )
})
