import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runVitest, VERSIONS } from './helpers.js'

describe.each(VERSIONS)('Vitest %s: snapshots reach the host', (version) => {
  it('writes .snap files where resolveSnapshotPath says, inline snapshots and file snapshots, and removes obsolete ones under -u', async () => {
    const run = await runVitest(version, 'snapshots', ['-u'], { CI: '' })
    expect(run.code, run.output).toBe(0)
    expect(run.output).not.toMatch(/refused|could not apply/)
    expect(readFileSync(join(run.dir, 'tests/__custom__/snap.test.ts.snap'), 'utf8')).toMatch(/"written": "in a container"/)
    expect(readFileSync(join(run.dir, 'tests/snap.test.ts'), 'utf8')).toMatch(/toMatchInlineSnapshot\(`"rewritten on the host"`\)/)
    expect(readFileSync(join(run.dir, 'tests/__file_snapshots__/output.txt'), 'utf8')).toBe('file snapshot content\n')
    expect(existsSync(join(run.dir, 'tests/__custom__/obsolete.test.ts.snap'))).toBe(false)
  })
})
