// Builds the projects the e2e tests run in, from the *packed* packages: `pnpm pack:all`, then the tarballs are
// published to a registry on 127.0.0.1 (registry.mjs; the launcher packages with `npm publish` from their
// directories) and each project installs them the way the README tells users to, with npm or with pnpm. So this
// is also the smoke test of what users install. Prints the directory; reuses it while the tarballs and the
// resolved versions stay the same.
import { execFileSync, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { startRegistry } from './registry.mjs'

const repo = resolve(import.meta.dirname, '../..')
const NODE_22 = '22.23.3'

/** The newest Vitest 5.x the registry serves, asked once per run. */
export function newestVitest5() {
  const versions = JSON.parse(execFileSync('npm', ['view', 'vitest@^5', 'version', '--json'], { encoding: 'utf8' }))
  return [versions].flat().at(-1)
}

/**
 * Every project. `suite`: the e2e tests run in it (helpers.ts VERSIONS); otherwise it is an install smoke test
 * (install.test.ts). `node`: a Node from the `node` npm package instead of this one. `os`/`cpu`: install as
 * for that platform (npm --os/--cpu, pnpm --os/--cpu).
 */
export function projectSpecs(latest5 = newestVitest5()) {
  return {
    v4: { installer: 'npm', vitest: '4.1.12', suite: true },
    v5: { installer: 'npm', vitest: '5.1.1', node: NODE_22, suite: true },
    'v5-latest': { installer: 'npm', vitest: latest5, node: NODE_22, suite: true },
    pnpm: { installer: 'pnpm', vitest: '4.1.12' },
    'darwin-npm': { installer: 'npm', vitest: '4.1.12', os: 'darwin', cpu: 'arm64' },
    'darwin-pnpm': { installer: 'pnpm', vitest: '4.1.12', os: 'darwin', cpu: 'arm64' },
  }
}

function run(cmd, args, { cwd, quiet }) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit' })
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolvePromise() : reject(new Error(`${cmd} ${args.join(' ')} exited ${code} in ${cwd}`))))
  })
}

export async function prepareProjects({ quiet = false } = {}) {
  const stdio = quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit'
  execFileSync(process.execPath, [join(repo, 'scripts/pack.mjs')], { cwd: repo, stdio })
  const packed = join(repo, 'packed')
  const tarballs = readdirSync(packed)
    .filter((f) => f.endsWith('.tgz'))
    .map((f) => join(packed, f))
  const specs = projectSpecs()
  const hash = createHash('sha256')
  for (const file of tarballs) hash.update(readFileSync(file))
  hash.update(JSON.stringify(specs))
  const parent = process.env.TESTCELL_E2E_DIR ?? tmpdir()
  const dir = join(parent, `testcell-e2e-${hash.digest('hex').slice(0, 12)}`)
  // Projects built from older tarballs are never used again.
  for (const entry of readdirSync(parent)) {
    if (/^testcell-e2e-[0-9a-f]{12}$/.test(entry) && join(parent, entry) !== dir) rmSync(join(parent, entry), { recursive: true, force: true })
  }
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'projects.json'), `${JSON.stringify(specs, null, 2)}\n`)
  const pending = Object.entries(specs).filter(([name]) => !existsSync(join(dir, name, '.ready')))
  if (pending.length === 0) return dir

  const registry = await startRegistry()
  try {
    const { version } = JSON.parse(readFileSync(join(repo, 'packages/vitest-plugin/package.json'), 'utf8'))
    for (const launcher of readdirSync(join(repo, 'packages')).filter((d) => d.startsWith('launcher-'))) {
      await run('npm', ['publish', '--loglevel=error', ...registry.args], { cwd: join(repo, 'packages', launcher), quiet })
    }
    for (const file of tarballs.filter((t) => !/testcell-launcher-/.test(t))) {
      await run('npm', ['publish', '--loglevel=error', file, ...registry.args], { cwd: repo, quiet })
    }
    for (const [name, spec] of pending) {
      const project = join(dir, name)
      rmSync(project, { recursive: true, force: true })
      mkdirSync(project, { recursive: true })
      const devDependencies = { 'vitest-environment-container': version, vitest: spec.vitest }
      if (spec.suite) Object.assign(devDependencies, { '@vitest/coverage-v8': spec.vitest, '@vitest/coverage-istanbul': spec.vitest })
      if (spec.node) devDependencies.node = spec.node
      writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: `e2e-${name}`, private: true, type: 'module', devDependencies }, null, 2)}\n`)
      const platform = spec.os ? [`--os=${spec.os}`, `--cpu=${spec.cpu}`] : []
      if (spec.installer === 'npm') {
        await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...platform, ...registry.args], { cwd: project, quiet })
      } else {
        await run('npx', ['-y', 'pnpm@10', 'install', '--reporter=silent', ...platform, ...registry.args], { cwd: project, quiet })
      }
      writeFileSync(join(project, '.ready'), '')
    }
  } finally {
    await registry.close()
  }
  return dir
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await prepareProjects())
