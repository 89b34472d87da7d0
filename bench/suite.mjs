// Suite benchmark: one generated suite of 60 small test files, run with Vitest's plain forks pool and with
// environment 'container' (the container() plugin, 256 MiB budget per file), interleaved.
// Run from the repository root: pnpm bench:suite [rounds]
import { spawnSync } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const rounds = Number(process.argv[2] ?? 5)
const FILES = 60
const suite = join(root, 'bench/.suite')

function generate() {
  rmSync(suite, { recursive: true, force: true })
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
  writeFileSync(
    join(suite, 'container.config.ts'),
    `import { defineConfig } from 'vitest/config'
import { container } from 'vitest-environment-container/plugin'
export default defineConfig({ plugins: [container({ memory: '256MiB', reporter: false })], test: { environment: 'container' } })
`,
  )
}

function timeRun(config) {
  const start = performance.now()
  const run = spawnSync(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--config', config, '--reporter=dot'], {
    cwd: suite,
    encoding: 'utf8',
  })
  const ms = performance.now() - start
  if (run.status !== 0) throw new Error(`${config} failed:\n${run.stdout}\n${run.stderr}`)
  return ms
}

generate()
const samples = { forks: [], container: [] }
timeRun('forks.config.ts') // warm up caches
timeRun('container.config.ts')
for (let i = 0; i < rounds; i++) {
  samples.forks.push(timeRun('forks.config.ts'))
  samples.container.push(timeRun('container.config.ts'))
}
rmSync(suite, { recursive: true, force: true })

const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]
console.log(`${FILES} test files, ${rounds} interleaved rounds, wall time of \`vitest run\` in ms`)
for (const [name, values] of Object.entries(samples)) {
  console.log(`${name.padEnd(10)} median ${median(values).toFixed(0)}  (${values.map((v) => v.toFixed(0)).join(', ')})`)
}
console.log(`suite overhead: ${(median(samples.container) / median(samples.forks)).toFixed(3)} x forks`)
