import { existsSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { processesRunning, runVitest, VERSIONS } from './helpers.js'

describe.each(VERSIONS)('Vitest %s: each container file is isolated', (version) => {
  beforeAll(() => writeFileSync('/tmp/testcell-e2e-host-marker', 'host'))
  afterAll(() => rmSync('/tmp/testcell-e2e-host-marker', { force: true }))

  it('runs container files in containers and other files in the project pool', async () => {
    const run = await runVitest(version, 'isolation')
    expect(run.output).not.toMatch(/EADDRINUSE/)
    for (const file of ['tests/namespaces.test.ts', 'tests/port-a.test.ts', 'tests/port-b.test.ts', 'tests/plain-node.test.ts']) {
      expect(run.status(file), `${file}\n${run.output}`).toBe('passed')
    }
    expect(run.code).toBe(0)
    // Both port files held port 4321 on both loopbacks at the same time, each in its own network namespace.
    expect(run.overlapped('tests/port-a.test.ts', 'tests/port-b.test.ts'), run.output).toBe(true)
    // Nothing the container files did is left on the host.
    expect(existsSync(join(run.dir, 'written-by-test.txt'))).toBe(false)
    expect(existsSync('/etc/testcell-e2e')).toBe(false)
    expect(processesRunning(['sleep', '9876'])).toEqual([])
    // The memory table lists every container file, not the plain one.
    expect(run.output).toMatch(/Container memory/)
    expect(run.output).toMatch(/tests\/namespaces\.test\.ts +\d+\.\d MiB +256 MiB/)
    expect(run.output).not.toMatch(/plain-node\.test\.ts +\d/)
  })
})
