import { describe, expect, it } from 'vitest'
import { runVitest, VERSIONS } from './helpers.js'

describe.each(VERSIONS)("Vitest %s: container output reaches Vitest's streams", (version) => {
  it('the last large chunk of a file is never lost, whether its container is killed or exits', async () => {
    const run = await runVitest(version, 'output-tail')
    expect(run.code).toBe(1)
    expect(run.output).toMatch(/killed by signal SIGKILL, not by a memory limit .* while running tests\/killed\.test\.ts/)
    expect(run.output).toMatch(/k{4096}/)
    expect(run.output).toMatch(/\nTAIL BEFORE THE KILL\n/)
    expect(run.output).toMatch(/\nTAIL BEFORE THE EXIT\n/)
    expect(run.status('tests/exits.test.ts')).toBe('passed')
  })

  it('a dozen containers at once: every line arrives and no MaxListenersExceededWarning', async () => {
    const run = await runVitest(version, 'many-containers')
    expect(run.code, run.output).toBe(0)
    expect(run.report?.testResults.filter((r) => r.status === 'passed')).toHaveLength(12)
    // More than 10 pipes into the same logger stream at once is what makes Node warn without the bookkeeping.
    expect(mostAtOnce(run.report?.testResults ?? []), 'containers running at the same time').toBeGreaterThanOrEqual(11)
    for (let i = 1; i <= 12; i++) {
      const n = String(i).padStart(2, '0')
      expect(run.output).toMatch(new RegExp(`out from container ${n}\\n`))
      expect(run.output).toMatch(new RegExp(`err from container ${n}\\n`))
    }
    expect(run.output).not.toMatch(/MaxListenersExceededWarning/)
  })
})

/** The largest number of files that ran at the same time, from the JSON report's start and end times. */
function mostAtOnce(files: { startTime: number; endTime: number }[]): number {
  const events = files.flatMap((f) => [
    [f.startTime, 1],
    [f.endTime, -1],
  ])
  events.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!)
  let now = 0
  let most = 0
  for (const [, step] of events) {
    now += step!
    most = Math.max(most, now)
  }
  return most
}
