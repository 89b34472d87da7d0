import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runVitest, VERSIONS } from './helpers.js'

describe.each(VERSIONS)('Vitest %s: failures are told as they are', (version) => {
  it('a container that cannot be built, or dies while starting, fails at once with the cause; bad options name option and value', async () => {
    const run = await runVitest(version, 'start-failure')
    expect(run.code).toBe(1)
    expect(run.durationMs).toBeLessThan(45_000) // Vitest 4.1 would otherwise wait 60 s for a start that never comes
    expect(run.output).toMatch(/Failed to start container worker for test files .*bad-mount\.test\.ts/)
    expect(run.output).toMatch(/container setup failed at mount: .*\/proc\/testcell-no-such-target/)
    expect(run.output).toMatch(/Failed to start container worker for test files .*bad-option\.test\.ts/)
    expect(run.output).toMatch(/invalid memory in @vitest-environment-options: "lots"; expected a size such as 256MiB/)
    expect(run.output).toMatch(/killed: memory limit 8 MiB exceeded \(peak [\d.]+ MiB\) while its worker was starting/)
    expect(run.output).toMatch(/Errors +3 errors/)
    expect(run.status('tests/fine.test.ts')).toBe('passed')
  })

  it('forged snapshot writes of every kind are refused and reported; the host is unchanged and the run goes on', async () => {
    const run = await runVitest(version, 'forged-writes')
    expect(run.code).toBe(1)
    const refused = (what: string) => new RegExp(`refused ${what} from the container running tests/forge\\.test\\.ts: `)
    expect(run.output).toMatch(refused('saveFileSnapshot \\.github/workflows/release\\.yml'))
    expect(run.output).toMatch(refused('saveFileSnapshot \\.husky/pre-commit'))
    expect(run.output).toMatch(refused('saveSnapshotFile Makefile'))
    expect(run.output).toMatch(refused('saveFileSnapshot scripts/deploy\\.sh'))
    expect(run.output).toMatch(refused('saveTestFile README\\.md'))
    expect(run.output).toMatch(refused('removeSnapshotFile README\\.md'))
    expect(run.output).toMatch(/refused saveTestFile tests\/forge\.test\.ts .*: it changes code outside the snapshot literals/)
    expect(run.output).toMatch(/could not apply saveFileSnapshot tests\/forge\.test\.ts\/below-a-file\.txt .*EEXIST/)
    expect(run.output).toMatch(/refused a side-channel message for \/etc\/testcell-escape .*: it is not a snapshot request/)
    expect(run.output).toMatch(/Errors +9 errors/)
    for (const path of ['.github', '.husky', '/etc/testcell-escape']) expect(existsSync(path.startsWith('/') ? path : join(run.dir, path))).toBe(false)
    expect(readFileSync(join(run.dir, 'Makefile'), 'utf8')).toBe('all:\n\techo build\n')
    expect(readFileSync(join(run.dir, 'scripts/deploy.sh'), 'utf8')).toBe('#!/bin/sh\necho deploy\n')
    expect(readFileSync(join(run.dir, 'README.md'), 'utf8')).toBe('# project\n')
    expect(readFileSync(join(run.dir, 'tests/forge.test.ts'), 'utf8')).not.toMatch(/^import 'node:child_process'/)
    expect(run.status('tests/forge.test.ts')).toBe('passed')
    expect(run.status('tests/fine.test.ts')).toBe('passed')
  })
})

describe('without the plugin', () => {
  it('environment "container" refuses to run unisolated and says to add the plugin', async () => {
    const run = await runVitest('v5', 'no-plugin')
    expect(run.code).toBe(1)
    expect(run.output).toMatch(/environment "container" needs the container\(\) plugin/)
  })
})
