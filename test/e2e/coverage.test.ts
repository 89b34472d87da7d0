import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runVitest, VERSIONS } from './helpers.js'

describe.each(
  VERSIONS.flatMap(
    (v) =>
      [
        [v, 'v8'],
        [v, 'istanbul'],
      ] as const,
  ),
)('Vitest %s: %s coverage from container files', (version, provider) => {
  it('coverage collected inside the container reaches the host report', async () => {
    const run = await runVitest(version, 'with-coverage', ['--coverage', `--coverage.provider=${provider}`])
    expect(run.code, run.output).toBe(0)
    const summary = JSON.parse(readFileSync(join(run.dir, 'coverage/coverage-summary.json'), 'utf8'))
    const math = Object.entries(summary).find(([file]) => file.endsWith('src/math.ts'))?.[1] as { functions: { covered: number; total: number } }
    expect(math.functions).toMatchObject({ covered: 1, total: 2 })
  })
})
