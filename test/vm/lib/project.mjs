// The project the VM runs Vitest in, installed on the host as a user installs testcell: the packed packages
// are published to the e2e tests' registry on 127.0.0.1 and `npm install` picks the launcher package for this
// platform itself (the VM has no network). Reused while the tarballs do not change.
import { execFileSync, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { startRegistry } from '../../e2e/registry.mjs'

const repo = resolve(import.meta.dirname, '../../..')
const fixture = join(repo, 'test/vm/fixtures/project')
export const VITEST = '4.1.12'

export async function prepareVmProject(cacheDir) {
  execFileSync(process.execPath, [join(repo, 'scripts/pack.mjs'), '--quiet'], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] })
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
    const { version } = JSON.parse(readFileSync(join(repo, 'packages/vitest-plugin/package.json'), 'utf8'))
    const pkg = { name: 'testcell-vm-project', private: true, type: 'module', devDependencies: { 'vitest-environment-container': version, vitest: VITEST } }
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`)
    const registry = await startRegistry()
    try {
      const npm = (args, cwd) => {
        const run = spawnSync('npm', [...args, '--loglevel=error', ...registry.args], { cwd, stdio: ['ignore', 'ignore', 'inherit'] })
        if (run.status !== 0) throw new Error(`npm ${args.join(' ')} exited ${run.status} in ${cwd}`)
      }
      for (const launcher of readdirSync(join(repo, 'packages')).filter((d) => d.startsWith('launcher-'))) npm(['publish'], join(repo, 'packages', launcher))
      for (const file of tarballs.filter((t) => !/testcell-launcher-/.test(t))) npm(['publish', file], repo)
      npm(['install', '--no-audit', '--no-fund'], dir)
    } finally {
      await registry.close()
    }
    writeFileSync(join(dir, '.ready'), '')
  }
  cpSync(fixture, dir, { recursive: true })
  return dir
}
