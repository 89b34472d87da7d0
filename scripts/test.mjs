// The one test command (README, .ci/run): installs if needed, builds, runs every suite and
// ends with one line "N passed, N failed" summed over all runners' reports.
import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { checkCounts, tapCounts, vitestCounts } from './lib/counts.mjs'
import { ensureDebianPackages } from './lib/debian.mjs'
import { checkoutFor, missingTools, rootlessProblem, rootlessUser } from './lib/rootless.mjs'

const root = resolve(import.meta.dirname, '..')
const reports = mkdtempSync(join(tmpdir(), 'testcell-reports-'))
chmodSync(reports, 0o1777)
const totals = []
const only = process.argv.slice(2)
const want = (suite) => only.length === 0 || only.includes(suite)

function step(name, fn) {
  if (!want(name)) return
  console.log(`\n=== ${name}`)
  const counts = fn()
  console.log(`--- ${name}: ${counts.passed} passed, ${counts.failed} failed`)
  totals.push({ name, ...counts })
}

function sh(cmd, args, options = {}) {
  return spawnSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...options })
}

function pnpm(args) {
  const viaPnpm = process.env.npm_execpath && /pnpm/.test(process.env.npm_execpath)
  const [cmd, pre] = viaPnpm ? [process.execPath, [process.env.npm_execpath]] : ['npx', ['-y', 'pnpm@10']]
  execFileSync(cmd, [...pre, ...args], { cwd: root, stdio: 'inherit' })
}

/** Runs one Vitest project; `as` (from checkoutFor) runs it as another user in their view of the checkout. */
function vitest(project, { as, env = {}, name = project } = {}) {
  const out = join(reports, `${name}.json`)
  const args = [
    'node_modules/vitest/vitest.mjs',
    'run',
    '--project',
    project,
    '--configLoader',
    'runner',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${out}`,
  ]
  const command = as
    ? as.run(['env', `HOME=${reports}`, ...Object.entries(env).map(([k, v]) => `${k}=${v}`), process.execPath, ...args])
    : [process.execPath, ...args]
  const result = spawnSync(command[0], command.slice(1), {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...env, TESTCELL_CACHE_DIR: join(reports, `cache-${name}`) },
  })
  if (!existsSync(out)) return { passed: 0, failed: 1, note: `vitest exited ${result.status} without a report` }
  return vitestCounts(out)
}

if (!existsSync(join(root, 'node_modules/.modules.yaml'))) pnpm(['install', '--frozen-lockfile'])
else execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' })

for (const check of ['typecheck', 'lint', 'format']) {
  step(check, () =>
    sh(process.execPath, ['scripts/lint.mjs', check], { stdio: 'inherit' }).status === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 },
  )
}

step('native', () => {
  const run = sh('make', ['-s', '-C', 'native', 'test'])
  process.stdout.write(run.stdout)
  return tapCounts(run.stdout)
})

step('native-asan', () => {
  const run = sh('make', ['-s', '-C', 'native', 'asan-test'])
  process.stdout.write(run.stdout)
  return tapCounts(run.stdout)
})

step('unit', () => vitest('unit'))

step('integration-root', () => vitest('integration', { name: 'integration-root' }))

step('integration-asan', () =>
  vitest('integration', {
    name: 'integration-asan',
    env: { TESTCELL_LAUNCHER: join(root, 'native/build/asan/testcell-launcher'), ASAN_OPTIONS: 'detect_leaks=0' },
  }),
)

/**
 * A Vitest project as a real unprivileged user, wherever the clone is (scripts/lib/rootless.mjs says how).
 * `needs`: what of the checkout this tier reads or runs besides what every tier does (`test` flag and path).
 */
function rootlessVitest(project, name, needs) {
  if (process.getuid() !== 0) return { passed: 0, failed: 1, note: 'run as root: this tier creates a user and switches to it' }
  const notInstalled = missingTools() && ensureDebianPackages(['util-linux', 'mount'])
  if (notInstalled) return { passed: 0, failed: 1, note: notInstalled }
  const user = rootlessUser()
  const as = checkoutFor(user, root)
  try {
    const problem = rootlessProblem(as, user, reports, needs)
    if (problem) return { passed: 0, failed: 1, note: problem }
    console.log(`(as ${user}, with ${root} bind-mounted at ${as.view} in a private mount namespace)`)
    return vitest(project, { name, as })
  } finally {
    as.remove()
  }
}

step('integration-rootless', () => rootlessVitest('integration', 'integration-rootless', [['-r', 'test/integration/helpers.ts']]))

step('escape-root', () => vitest('escape', { name: 'escape-root' }))

step('escape-rootless', () =>
  rootlessVitest('escape', 'escape-rootless', [
    ['-r', 'test/escape/probe.ts'],
    ['-x', 'native/build/escape-probe'],
  ]),
)

step('e2e', () => vitest('e2e'))

step('cgroup-v2-vm', () => {
  const run = sh('bash', ['test/v2/run.sh'], { stdio: ['ignore', 'pipe', 'inherit'] })
  process.stdout.write(
    `${run.stdout
      .split('\n')
      .filter((l) => /^(CHECK|run-v2-checks)/.test(l))
      .join('\n')}\n`,
  )
  const counts = checkCounts(run.stdout)
  if (run.status !== 0 && counts.failed === 0) counts.failed = 1
  return counts
})

rmSync(reports, { recursive: true, force: true })
const passed = totals.reduce((n, t) => n + t.passed, 0)
const failed = totals.reduce((n, t) => n + t.failed, 0)
console.log('')
for (const t of totals) console.log(`${t.name.padEnd(22)} ${t.passed} passed, ${t.failed} failed${t.note ? ` (${t.note})` : ''}`)
console.log(`${passed} passed, ${failed} failed`)
process.exitCode = failed === 0 && passed > 0 ? 0 : 1
