import { describe, expect, it } from 'vitest'
import { runVitest, runVitestAgain, VERSIONS } from './helpers.js'

describe.each(VERSIONS)('Vitest %s: projects', (version) => {
  it('projects inheriting the root config (extends: true) get the container pool; others run as before', async () => {
    const run = await runVitest(version, 'projects')
    expect(run.code, run.output).toBe(0)
    expect(run.status('tests/a/contained.test.ts')).toBe('passed')
    expect(run.status('tests/b/plain.test.ts')).toBe('passed')
  })
})

describe('blob reports and --merge-reports', () => {
  it("keep each file's peak memory: the merged run prints the memory table without running containers", async () => {
    const first = await runVitest('v5', 'memory', ['--reporter=blob', '--outputFile.blob=blobs/blob-1-1.json'])
    expect(first.code).toBe(1)
    const merged = await runVitestAgain('v5', first.dir, ['run', '--merge-reports=blobs'])
    expect(merged.output).toMatch(/Container memory/)
    expect(merged.output).toMatch(/tests\/leak\.test\.ts +9\d\.\d MiB +96 MiB/)
    expect(merged.output).toMatch(/killed: memory limit 96 MiB exceeded/)
  })
})

describe('where containers cannot run', () => {
  const unsupported = { TESTCELL_LAUNCHER: '/nonexistent/testcell-launcher' }

  it("onUnsupported: 'error' fails the run at start with the doctor's diagnosis and what to do", async () => {
    const run = await runVitest('v5', 'unsupported', [], unsupported)
    expect(run.code).toBe(1)
    expect(run.output).toMatch(/this host cannot run containers \(run `testcell doctor` for details; set onUnsupported: 'warn'/)
    expect(run.output).toMatch(/launcher: TESTCELL_LAUNCHER=\/nonexistent\/testcell-launcher is not an executable file/)
    // Both files fail to start, the diagnosis is printed once.
    expect(run.output).toMatch(/one\.test\.ts/)
    expect(run.output).toMatch(/two\.test\.ts/)
    expect(run.output.match(/set onUnsupported: 'warn'/g)).toHaveLength(1)
  })

  it("onUnsupported: 'warn' runs container files as plain forks after one warning for the whole run", async () => {
    const run = await runVitest('v4', 'unsupported', [], { ...unsupported, ON_UNSUPPORTED: 'warn' })
    expect(run.code, run.output).toBe(0)
    expect(run.output.match(/container files run as plain forked files without isolation/g)).toHaveLength(1)
  })
})
