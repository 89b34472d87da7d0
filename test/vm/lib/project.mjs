// The project the VM runs Vitest in, installed on the host from the *packed* packages (as a user installs
// them) plus Vitest from npm, since the VM has no network. Reused while the tarballs do not change.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

const repo = resolve(import.meta.dirname, '../../..')
const fixture = join(repo, 'test/vm/fixtures/project')
export const VITEST = '4.1.12'

export function prepareVmProject(cacheDir) {
  execFileSync(process.execPath, [join(repo, 'scripts/pack.mjs')], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] })
  const packed = join(repo, 'packed')
  const tarballs = readdirSync(packed)
    .filter((f) => f.endsWith('.tgz'))
    .map((f) => join(packed, f))
  const hash = createHash('sha256')
  for (const file of tarballs) hash.update(readFileSync(file))
  hash.update(VITEST)
  const dir = join(cacheDir, `project-${hash.digest('hex').slice(0, 12)}`)
  if (!existsSync(join(dir, '.ready'))) {
    mkdirSync(cacheDir, { recursive: true })
    for (const old of readdirSync(cacheDir)) if (old.startsWith('project-')) rmSync(join(cacheDir, old), { recursive: true, force: true })
    mkdirSync(dir)
    const core = tarballs.find((t) => t.includes('testcell-core'))
    const plugin = tarballs.find((t) => t.includes('vitest-environment-container'))
    const pkg = {
      name: 'testcell-vm-project',
      private: true,
      type: 'module',
      dependencies: { '@testcell/core': `file:${core}`, 'vitest-environment-container': `file:${plugin}`, vitest: VITEST },
    }
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`)
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] })
    writeFileSync(join(dir, '.ready'), '')
  }
  cpSync(fixture, dir, { recursive: true })
  return dir
}
