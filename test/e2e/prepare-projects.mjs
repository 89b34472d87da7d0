// Builds the two projects the e2e tests run Vitest in, from the *packed* packages (so this is also the
// smoke test of what users install): Vitest 4.1 on this Node, and Vitest 5 on Node 22 from the `node` npm
// package. Prints the directory; reuses it when the tarballs did not change.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const repo = resolve(import.meta.dirname, '../..')
export const VERSIONS = {
  v4: { vitest: '4.1.12', extra: {} },
  v5: { vitest: '5.1.1', extra: { node: '22.23.3' } },
}

export function prepareProjects({ quiet = false } = {}) {
  const stdio = quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit'
  execFileSync(process.execPath, [join(repo, 'scripts/pack.mjs')], { cwd: repo, stdio })
  const packed = join(repo, 'packed')
  const tarballs = readdirSync(packed)
    .filter((f) => f.endsWith('.tgz'))
    .map((f) => join(packed, f))
  const hash = createHash('sha256')
  for (const file of tarballs) hash.update(readFileSync(file))
  hash.update(JSON.stringify(VERSIONS))
  const parent = process.env.TESTCELL_E2E_DIR ?? tmpdir()
  const dir = join(parent, `testcell-e2e-${hash.digest('hex').slice(0, 12)}`)
  // Projects built from older tarballs are never used again.
  for (const entry of readdirSync(parent)) {
    if (/^testcell-e2e-[0-9a-f]{12}$/.test(entry) && join(parent, entry) !== dir) rmSync(join(parent, entry), { recursive: true, force: true })
  }
  for (const [name, { vitest, extra }] of Object.entries(VERSIONS)) {
    const project = join(dir, name)
    if (existsSync(join(project, '.ready'))) continue
    rmSync(project, { recursive: true, force: true })
    mkdirSync(project, { recursive: true })
    const core = tarballs.find((t) => t.includes('testcell-core'))
    const plugin = tarballs.find((t) => t.includes('vitest-environment-container'))
    writeFileSync(
      join(project, 'package.json'),
      `${JSON.stringify(
        {
          name: `e2e-${name}`,
          private: true,
          type: 'module',
          dependencies: {
            '@testcell/core': `file:${core}`,
            'vitest-environment-container': `file:${plugin}`,
            vitest,
            '@vitest/coverage-v8': vitest,
            '@vitest/coverage-istanbul': vitest,
            ...extra,
          },
        },
        null,
        2,
      )}\n`,
    )
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: project, stdio })
    writeFileSync(join(project, '.ready'), '')
  }
  return dir
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(prepareProjects())
