import { describe, expect, it } from 'vitest'
import { runVitest, VERSIONS, type VitestRun } from './helpers.js'

const KILLED = ['tests/leak.test.ts', 'tests/midway.test.ts', 'tests/sigkill.test.ts']

/** Test states of a file in the JSON report, counted. */
function states(run: VitestRun, file: string): Record<string, number> {
  const result = (run.report?.testResults ?? []).find((r) => r.name === `${run.dir}/${file}`) as { assertionResults: { status: string }[] } | undefined
  const counts: Record<string, number> = {}
  for (const { status } of result?.assertionResults ?? []) counts[status] = (counts[status] ?? 0) + 1
  return counts
}

describe.each(VERSIONS)('Vitest %s: memory verdicts', (version) => {
  it('a killed file says why once, with limit and peak; tests that never ran stay pending, as with a crashed fork; the rest still runs', async () => {
    const run = await runVitest(version, 'memory')
    expect(run.code).toBe(1)
    expect(run.status('tests/fine.test.ts')).toBe('passed')
    // The verdict reaches Vitest's own error channel, once per file, naming the file.
    expect(run.output).toMatch(/killed: memory limit 96 MiB exceeded \(peak \d+\.\d MiB\) while running tests\/leak\.test\.ts/)
    // ... and the test that was running.
    expect(run.output).toMatch(
      /killed: memory limit 96 MiB exceeded \(peak \d+\.\d MiB\) while running tests\/midway\.test\.ts > a file killed by its budget halfway through > leaks until its budget stops it/,
    )
    expect(run.output).toMatch(
      /killed by signal SIGKILL, not by a memory limit \(the kernel counted no OOM kill\) while running tests\/sigkill\.test\.ts > is killed by something else than its budget/,
    )
    expect(run.output).not.toMatch(/memory limit \d+ MiB exceeded.* while running tests\/sigkill/)
    for (const file of KILLED) expect(run.output.match(new RegExp(`while running ${file.replace('.', '\\.')}`, 'g')), run.output).toHaveLength(1)
    expect(run.output).not.toMatch(/Failed Tests|Failed Suites/)
    expect(run.output).toMatch(/Errors +3 errors/)
    // JSON: the killed files failed (Vitest 5 itself; Vitest 4 through the plugin's shim), the run did not succeed.
    for (const file of KILLED) expect(run.status(file), file).toBe('failed')
    expect((run.report as unknown as { success: boolean }).success).toBe(false)
    expect(states(run, 'tests/midway.test.ts')).toEqual({ passed: 20, pending: 8 })
    // The summary counts what ran; the tests that never ran are only in the total, as for a crashed fork worker.
    expect(run.output).toMatch(/Tests +21 passed \(31\)/)
    expect(run.output).toMatch(version === 'v4' ? /Test Files +3 failed \| 1 passed \(4\)/ : /Test Files +1 passed \(4\)/)
    // The memory table says which containers were killed, and names each file's heaviest test.
    expect(run.output).toMatch(
      /tests\/leak\.test\.ts +9\d\.\d MiB +96 MiB +1\d\d% +killed by its memory limit +leaks until its budget stops it \(9\d\.\d MiB\)/,
    )
    expect(run.output).toMatch(
      /tests\/sigkill\.test\.ts +\d+\.\d MiB +256 MiB +\d+% +killed by SIGKILL +is killed by something else than its budget \(\d+\.\d MiB\)/,
    )
    expect(run.output).toMatch(/tests\/fine\.test\.ts +\d+\.\d MiB +256 MiB +\d+% +stays well within its budget \(\d+\.\d MiB\)\n/)
  })

  it('the verbose reporter lists the tests that passed before the kill and shows the verdict once', async () => {
    const run = await runVitest(version, 'memory', ['--reporter=verbose'])
    expect(run.code).toBe(1)
    expect(run.output.match(/✓ tests\/midway\.test\.ts > a file killed by its budget halfway through > passes \d+/g)).toHaveLength(20)
    expect(run.output).not.toMatch(/never runs/)
    for (const file of KILLED) expect(run.output.match(new RegExp(`while running ${file.replace('.', '\\.')}`, 'g'))).toHaveLength(1)
  })
})
