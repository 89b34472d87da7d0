// A real project's own test suite, run with Vitest's forks pool and with every file in a container, interleaved.
// The project lives outside this repository (a checkout of it, its dependencies installed); the packed testcell
// packages (pnpm pack:all) are installed into it first, as a user would.
//
//   node bench/real-suite.mjs PROJECT_DIR [rounds] [-- extra vitest args]
//
// The container run uses the project's own config with the container() plugin and environment 'container' added
// (a config file written next to it, vitest.testcell-bench.config.mjs, removed afterwards). Last line:
//   real suite: R x forks (NAME, N files, default maxWorkers)
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { stripVTControlCharacters } from 'node:util'

const repo = resolve(import.meta.dirname, '..')
const [dirArg, roundsArg, ...rest] = process.argv.slice(2)
if (!dirArg) {
  console.error('usage: node bench/real-suite.mjs PROJECT_DIR [rounds] [-- extra vitest args]')
  process.exit(2)
}
const dir = resolve(dirArg)
const rounds = Number(roundsArg ?? 5)
const extra = rest[0] === '--' ? rest.slice(1) : rest
const vitestBin = join(dir, 'node_modules/vitest/vitest.mjs')
if (!existsSync(vitestBin)) throw new Error(`${dir} has no node_modules/vitest: install the project's dependencies first`)

/** The packed packages, installed with the project's package manager unless they already are. */
function installTestcell() {
  if (existsSync(join(dir, 'node_modules/vitest-environment-container/package.json'))) return
  execFileSync(process.execPath, [join(repo, 'scripts/pack.mjs')], { cwd: repo, stdio: 'inherit' })
  const packed = join(repo, 'packed')
  const tarballs = readdirSync(packed)
    .filter((f) => f.endsWith('.tgz') && !f.includes('arm64'))
    .map((f) => join(packed, f))
  const pnpm = existsSync(join(dir, 'pnpm-lock.yaml'))
  if (pnpm) {
    // pnpm resolves the plugin's dependency on @testcell/core from the registry: point it at the tarballs.
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
    const byName = (part) => tarballs.find((t) => t.includes(part))
    manifest.pnpm = {
      ...manifest.pnpm,
      overrides: {
        ...manifest.pnpm?.overrides,
        '@testcell/core': `file:${byName('testcell-core-')}`,
        [`@testcell/launcher-linux-${process.arch}`]: `file:${byName(`launcher-linux-${process.arch}`)}`,
      },
    }
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)
  }
  const [cmd, args] = pnpm
    ? ['npx', ['-y', 'pnpm@10', 'add', '-D', '--config.manage-package-manager-versions=false', ...tarballs]]
    : ['npm', ['install', '-D', '--no-audit', '--no-fund', ...tarballs]]
  execFileSync(cmd, args, { cwd: dir, stdio: 'inherit' })
}

/** The project's config (if any) with the plugin added, so its own settings stay as they are. */
function writeContainerConfig() {
  const own = ['vitest.config.ts', 'vitest.config.mts', 'vitest.config.js', 'vitest.config.mjs', 'vite.config.ts', 'vite.config.mts'].find((f) =>
    existsSync(join(dir, f)),
  )
  const path = join(dir, 'vitest.testcell-bench.config.mjs')
  writeFileSync(
    path,
    `import { defineConfig, mergeConfig } from 'vitest/config'
import { container } from 'vitest-environment-container/plugin'
${own ? `import base from './${own}'` : 'const base = {}'}
export default mergeConfig(base, defineConfig({ plugins: [container({ reporter: false })], test: { environment: 'container' } }))
`,
  )
  return path
}

function timeRun(args) {
  const start = performance.now()
  const run = spawnSync(process.execPath, [vitestBin, 'run', '--reporter=dot', ...args, ...extra], { cwd: dir, encoding: 'utf8' })
  const ms = performance.now() - start
  if (run.status !== 0) throw new Error(`vitest ${args.join(' ')} failed in ${dir}:\n${run.stdout.slice(-3000)}\n${run.stderr.slice(-3000)}`)
  const files = /Test Files\s+(\d+) passed/.exec(stripVTControlCharacters(run.stdout))?.[1]
  return { ms, files: Number(files ?? 0) }
}

installTestcell()
const config = writeContainerConfig()
const variants = { forks: ['--pool=forks'], container: ['--config', config] }
const samples = { forks: [], container: [] }
let files = 0
try {
  for (const args of Object.values(variants)) files = timeRun(args).files // warm up caches
  for (let i = 0; i < rounds; i++) {
    for (const [name, args] of Object.entries(variants)) samples[name].push(timeRun(args).ms)
  }
} finally {
  rmSync(config, { force: true })
}

const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]
const name = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name ?? dir
console.log(`${name}: ${files} test files, ${rounds} interleaved rounds, wall time of \`vitest run\` in ms`)
for (const [variant, values] of Object.entries(samples)) {
  console.log(`${variant.padEnd(10)} median ${median(values).toFixed(0)}  (${values.map((v) => v.toFixed(0)).join(', ')})`)
}
console.log(`real suite: ${(median(samples.container) / median(samples.forks)).toFixed(3)} x forks (${name}, ${files} files, default maxWorkers)`)
