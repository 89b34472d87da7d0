// Suite benchmark: one generated suite of 60 small test files, run with Vitest's plain forks pool and with
// environment 'container' (the container() plugin, 256 MiB budget per file), interleaved, each with Vitest's
// default maxWorkers and with maxWorkers = cores. The container runs prewarm and per-test peaks (the defaults);
// a variant without prewarming shows what it gains, one with file peaks only what per-test peaks and memory
// sampling cost. Run from the repository root: pnpm bench:suite [rounds]
import { execFileSync, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const rounds = Number(process.argv[2] ?? 5)
const FILES = 60
const suite = join(root, 'bench/.suite')

/**
 * The suite is a project of its own with the packed packages installed from their tarballs (pnpm pack:all), as a
 * user installs them: the plugin and its setup file then live in node_modules, where Vite leaves them alone.
 * Installed once per set of tarballs.
 */
function install() {
  execFileSync(process.execPath, [join(root, 'scripts/pack.mjs')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] })
  const packed = join(root, 'packed')
  const tarballs = readdirSync(packed)
    .filter((f) => f.endsWith('.tgz') && !f.includes('arm64'))
    .map((f) => join(packed, f))
  const hash = createHash('sha256')
  for (const file of tarballs) hash.update(readFileSync(file))
  const digest = hash.digest('hex')
  const stamp = join(suite, '.installed')
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) return
  rmSync(suite, { recursive: true, force: true })
  mkdirSync(suite, { recursive: true })
  const vitest = JSON.parse(readFileSync(join(root, 'node_modules/vitest/package.json'), 'utf8')).version
  writeFileSync(join(suite, 'package.json'), `${JSON.stringify({ name: 'bench-suite', private: true, type: 'module' }, null, 2)}\n`)
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', `vitest@${vitest}`, ...tarballs], { cwd: suite, stdio: 'inherit' })
  writeFileSync(stamp, digest)
}

function generate() {
  rmSync(join(suite, 'tests'), { recursive: true, force: true })
  mkdirSync(join(suite, 'tests'), { recursive: true })
  for (let i = 0; i < FILES; i++) {
    writeFileSync(
      join(suite, 'tests', `file-${String(i).padStart(2, '0')}.test.ts`),
      `import { expect, test } from 'vitest'
import { createHash } from 'node:crypto'

test('computes', () => {
  expect(createHash('sha256').update('${i}').digest('hex')).toHaveLength(64)
})

test('allocates a little', () => {
  expect(Array.from({ length: 10000 }, (_, k) => k * ${i}).length).toBe(10000)
})
`,
    )
  }
  writeFileSync(
    join(suite, 'forks.config.ts'),
    `import { defineConfig } from 'vitest/config'
export default defineConfig({ test: { pool: 'forks' } })
`,
  )
  const containerConfigs = {
    'container.config.ts': {},
    'cold.config.ts': { prewarm: false },
    'file-peaks.config.ts': { testPeaks: false },
  }
  for (const [file, options] of Object.entries(containerConfigs)) {
    writeFileSync(
      join(suite, file),
      `import { defineConfig } from 'vitest/config'
import { container } from 'vitest-environment-container/plugin'
export default defineConfig({ plugins: [container(${JSON.stringify({ memory: '256MiB', reporter: false, ...options })})], test: { environment: 'container' } })
`,
    )
  }
}

const cores = availableParallelism()

function timeRun([config, maxWorkers]) {
  const start = performance.now()
  const args = ['run', '--config', config, '--reporter=dot', ...(maxWorkers ? [`--maxWorkers=${maxWorkers}`] : [])]
  const run = spawnSync(process.execPath, [join(suite, 'node_modules/vitest/vitest.mjs'), ...args], {
    cwd: suite,
    encoding: 'utf8',
  })
  const ms = performance.now() - start
  if (run.status !== 0) throw new Error(`${config} failed:\n${run.stdout}\n${run.stderr}`)
  return ms
}

install()
generate()
const variants = {
  forks: ['forks.config.ts'],
  container: ['container.config.ts'],
  'container (no prewarm)': ['cold.config.ts'],
  'container (file peaks)': ['file-peaks.config.ts'],
  [`forks, ${cores} workers`]: ['forks.config.ts', cores],
  [`container, ${cores} workers`]: ['container.config.ts', cores],
}
const samples = Object.fromEntries(Object.keys(variants).map((name) => [name, []]))
for (const variant of Object.values(variants)) timeRun(variant) // warm up caches
for (let i = 0; i < rounds; i++) {
  for (const [name, variant] of Object.entries(variants)) samples[name].push(timeRun(variant))
}

const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]
const ratio = (a, b) => (median(samples[a]) / median(samples[b])).toFixed(3)
console.log(`${FILES} test files, ${rounds} interleaved rounds, wall time of \`vitest run\` in ms (${cores} cores)`)
for (const [name, values] of Object.entries(samples)) {
  console.log(`${name.padEnd(24)} median ${median(values).toFixed(0)}  (${values.map((v) => v.toFixed(0)).join(', ')})`)
}
console.log(`without prewarming: ${ratio('container (no prewarm)', 'forks')} x forks (default maxWorkers)`)
const peaksCost = (median(samples.container) / median(samples['container (file peaks)']) - 1) * 100
console.log(`per-test peaks and sampling: ${peaksCost >= 0 ? '+' : ''}${peaksCost.toFixed(1)}% of wall time (against file peaks only)`)
console.log(
  `suite overhead: ${ratio('container', 'forks')} x forks (default maxWorkers), ${ratio(`container, ${cores} workers`, `forks, ${cores} workers`)} x forks (maxWorkers = cores)`,
)
