import { describe, expect, it } from 'vitest'
import { runVitest, VERSIONS } from './helpers.js'

describe.each(VERSIONS)('Vitest %s: memory verdicts', (version) => {
  it('a leak is a failed file with its limit and peak; a SIGKILL is not a memory kill; the rest still runs', async () => {
    const run = await runVitest(version, 'memory')
    expect(run.code).toBe(1)
    expect(run.status('tests/leak.test.ts')).toBe('failed')
    expect(run.status('tests/sigkill.test.ts')).toBe('failed')
    expect(run.status('tests/fine.test.ts')).toBe('passed')
    expect(run.output).toMatch(/killed: memory limit 96 MiB exceeded \(peak \d+\.\d MiB\) while running tests\/leak\.test\.ts/)
    expect(run.output).toMatch(/killed by signal SIGKILL while running tests\/sigkill\.test\.ts/)
    expect(run.output).not.toMatch(/memory limit .* while running tests\/sigkill/)
    expect(run.output).toMatch(/Test Files +2 failed \| 1 passed/)
    expect(run.output).toMatch(/tests\/leak\.test\.ts +9\d\.\d MiB +96 MiB +1\d\d%/)
  })
})
