import { describe, expect, it } from 'vitest'
import { runVitest, VERSIONS } from './helpers.js'

describe.each(VERSIONS)("Vitest %s: container output reaches Vitest's streams", (version) => {
  it('the last large chunk of a file is never lost, whether its container is killed or exits', async () => {
    const run = await runVitest(version, 'output-tail')
    expect(run.code).toBe(1)
    expect(run.output).toMatch(/killed by signal SIGKILL while running tests\/killed\.test\.ts/)
    expect(run.output).toMatch(/k{4096}/)
    expect(run.output).toMatch(/\nTAIL BEFORE THE KILL\n/)
    expect(run.output).toMatch(/\nTAIL BEFORE THE EXIT\n/)
    expect(run.status('tests/exits.test.ts')).toBe('passed')
  })

  it('a dozen containers at once: every line arrives and no MaxListenersExceededWarning', async () => {
    const run = await runVitest(version, 'many-containers')
    expect(run.code, run.output).toBe(0)
    expect(run.report?.testResults.filter((r) => r.status === 'passed')).toHaveLength(12)
    expect(run.overlapped('tests/file-01.test.ts', 'tests/file-12.test.ts'), 'the containers ran at the same time').toBe(true)
    for (let i = 1; i <= 12; i++) {
      const n = String(i).padStart(2, '0')
      expect(run.output).toMatch(new RegExp(`out from container ${n}\\n`))
      expect(run.output).toMatch(new RegExp(`err from container ${n}\\n`))
    }
    expect(run.output).not.toMatch(/MaxListenersExceededWarning/)
  })
})
