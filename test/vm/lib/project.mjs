// Projects the VMs run testcell in, installed on the host as a user installs testcell: the packed packages are
// published to the e2e tests' registry on 127.0.0.1 and `npm install` picks the launcher package for this
// platform itself (the VMs have no network). Each is reused while the tarballs do not change.
import { execFileSync, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { startRegistry } from '../../e2e/registry.mjs'

const repo = resolve(import.meta.dirname, '../../..')
const fixture = join(repo, 'test/vm/fixtures/project')
export const VITEST = '4.1.12'

/** The Debian 13 tier's project: the plugin and Vitest, with the fixture's config and test files. */
export async function prepareVmProject(cacheDir) {
  const { version } = JSON.parse(readFileSync(join(repo, 'packages/vitest-plugin/package.json'), 'utf8'))
  const dir = await installProject(cacheDir, 'project', { 'vitest-environment-container': version, vitest: VITEST })
  cpSync(fixture, dir, { recursive: true })
  return dir
}

/** The cgroup-v2 tier's: @testcell/core alone (its CLI, its dependencies, the launcher package). */
export async function prepareCoreProject(cacheDir) {
  const { version } = JSON.parse(readFileSync(join(repo, 'packages/core/package.json'), 'utf8'))
  return installProject(cacheDir, 'core', { '@testcell/core': version })
}

async function installProject(cacheDir, name, devDependencies) {
  execFileSync(process.execPath, [join(repo, 'scripts/pack.mjs'), '--quiet'], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] })
  const packed = join(repo, 'packed')
  const tarballs = readdirSync(packed)
    .filter((f) => f.endsWith('.tgz'))
    .map((f) => join(packed, f))
  const hash = createHash('sha256')
  for (const file of tarballs) hash.update(readFileSync(file))
  hash.update(JSON.stringify(devDependencies))
  const dir = join(cacheDir, `${name}-${hash.digest('hex').slice(0, 12)}`)
  if (!existsSync(join(dir, '.ready'))) {
    mkdirSync(cacheDir, { recursive: true })
    for (const old of readdirSync(cacheDir)) if (old.startsWith(`${name}-`)) rmSync(join(cacheDir, old), { recursive: true, force: true })
    mkdirSync(dir)
    const pkg = { name: `testcell-vm-${name}`, private: true, type: 'module', devDependencies }
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`)
    const registry = await startRegistry()
    try {
      // The registry runs in this process: npm must run asynchronously, or nobody answers it.
      const npm = (args, cwd) =>
        new Promise((done, fail) => {
          const child = spawn('npm', [...args, '--loglevel=error', ...registry.args], { cwd, stdio: ['ignore', 'ignore', 'inherit'] })
          child.on('error', fail)
          child.on('close', (code) => (code === 0 ? done() : fail(new Error(`npm ${args.join(' ')} exited ${code} in ${cwd}`))))
        })
      for (const launcher of readdirSync(join(repo, 'packages')).filter((d) => d.startsWith('launcher-')))
        await npm(['publish'], join(repo, 'packages', launcher))
      for (const file of tarballs.filter((t) => !/testcell-launcher-/.test(t))) await npm(['publish', file], repo)
      await npm(['install', '--no-audit', '--no-fund'], dir)
    } finally {
      await registry.close()
    }
    writeFileSync(join(dir, '.ready'), '')
  }
  return dir
}
