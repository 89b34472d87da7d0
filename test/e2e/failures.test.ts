import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runVitest, VERSIONS } from './helpers.js'

describe.each(VERSIONS)('Vitest %s: failures are told as they are', (version) => {
  it('a container that cannot be built reports the launcher cause at once; bad options name option and value', async () => {
    const run = await runVitest(version, 'start-failure')
    expect(run.code).toBe(1)
    expect(run.durationMs).toBeLessThan(45_000) // Vitest 4.1 would otherwise wait 60 s for a start that never comes
    expect(run.output).toMatch(/container setup failed at mount: .*\/proc\/testcell-no-such-target/)
    expect(run.output).toMatch(/invalid memory in @vitest-environment-options: "lots"; expected a size such as 256MiB/)
    expect(run.output).toMatch(/bad-mount\.test\.ts/)
    expect(run.output).toMatch(/bad-option\.test\.ts/)
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

describe('forwarded writes', () => {
  it('are refused outside the snapshot paths of the project and reported', async () => {
    const run = await runVitest('v4', 'refused-write')
    expect(run.code).toBe(1)
    expect(run.output).toMatch(/refused a snapshot write from the container to \/etc\/testcell-escape: it is outside the project root/)
    expect(run.output).toMatch(/vitest\.config\.ts: snapshots never write source, config or dot files/)
    expect(existsSync('/etc/testcell-escape')).toBe(false)
    expect(readFileSync(join(run.dir, 'vitest.config.ts'), 'utf8')).toMatch(/container\(/)
  })
})
