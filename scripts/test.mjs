// The one test command (README, .ci/run): installs if needed, builds, runs every suite and
// ends with one line "N passed, N failed" summed over all runners' reports (", N skipped" when tiers were
// skipped). `node scripts/test.mjs unit e2e` runs only the named tiers.
// As root (CI) every tier runs, installing the Debian packages it needs; as another user, the tiers that need
// root, or Debian packages that are missing, are reported as skipped with the reason.
import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { checkCounts, tapCounts, vitestCounts } from './lib/counts.mjs'
import { ensureDebianPackages } from './lib/debian.mjs'
import { crossPackages, PLATFORMS } from './lib/launcher-platforms.mjs'
import { publishCheck } from './lib/publish-check.mjs'
import { checkoutFor, missingTools, rootlessProblem, rootlessUser } from './lib/rootless.mjs'

const root = resolve(import.meta.dirname, '..')
const reports = mkdtempSync(join(tmpdir(), 'testcell-reports-'))
chmodSync(reports, 0o1777)
const totals = []
const only = process.argv.slice(2)
const isRoot = process.getuid?.() === 0
const want = (suite) => only.length === 0 || only.includes(suite)
/** Debian packages to cross-compile the launchers of the other architectures (for packing them). */
const CROSS = Object.keys(PLATFORMS).flatMap(crossPackages)

/**
 * Runs tier `name` unless it was not asked for. `root`: why it needs root (skipped otherwise);
 * `debian`: packages it needs (installed as root, else the tier is skipped when they are missing).
 */
function step(name, fn, { root: needsRoot, debian = [] } = {}) {
  if (!want(name)) return
  console.log(`\n=== ${name}`)
  const started = performance.now()
  const skipped = needsRoot && !isRoot ? `needs root: ${needsRoot}` : ensureDebianPackages(debian)
  if (skipped) {
    console.log(`--- ${name}: skipped (${skipped})`)
    totals.push({ name, passed: 0, failed: 0, skipped })
    return
  }
  const counts = fn()
  const seconds = (performance.now() - started) / 1000
  console.log(`--- ${name}: ${counts.passed} passed, ${counts.failed} failed (${seconds.toFixed(1)} s)`)
  totals.push({ name, seconds, ...counts })
}

/** `make -C native target` whose output is TAP. */
function makeTap(target) {
  const run = sh('make', ['-s', '-C', 'native', target])
  process.stdout.write(run.stdout)
  const counts = tapCounts(run.stdout)
  if (run.status !== 0 && counts.failed === 0) return { ...counts, failed: 1, note: `make ${target} exited ${run.status}` }
  return counts
}

function sh(cmd, args, options = {}) {
  return spawnSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...options })
}

const viaPnpm = process.env.npm_execpath && /pnpm/.test(process.env.npm_execpath)
const pnpmCommand = viaPnpm ? [process.execPath, process.env.npm_execpath] : ['npx', '-y', 'pnpm@10']

function pnpm(args) {
  execFileSync(pnpmCommand[0], [...pnpmCommand.slice(1), ...args], { cwd: root, stdio: 'inherit' })
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

step('native', () => makeTap('test'))

step('native-asan', () => makeTap('asan-test'))

// The arm64 launcher, cross-compiled, and its unit tests under qemu-user.
step('native-arm64', () => makeTap('linux-arm64-test'), { debian: process.arch === 'arm64' ? [] : [...crossPackages('linux-arm64'), 'qemu-user'] })

// The launcher built against musl (a portability check) and its unit tests, then one real container with it.
step(
  'native-musl',
  () => {
    const counts = makeTap('musl-test')
    const launcher = join(root, 'native/build/musl/testcell-launcher')
    const container = sh(process.execPath, ['packages/core/bin/testcell.js', 'run', '--', 'sh', '-c', 'echo in $(hostname)'], {
      env: { ...process.env, TESTCELL_LAUNCHER: launcher },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const ran = container.status === 0 && /^in testcell-/.test(container.stdout)
    console.log(
      `${ran ? 'ok' : 'not ok'} - a container started by the musl launcher${ran ? '' : `\n  # ${container.status} ${container.stdout}${container.stderr}`}`,
    )
    return { passed: counts.passed + (ran ? 1 : 0), failed: counts.failed + (ran ? 0 : 1), note: counts.note }
  },
  { debian: ['musl-tools'] },
)

step('unit', () => vitest('unit'))

// `pnpm publish -r --dry-run` from a clean copy of the checkout; file lists and modes of the packed packages.
step('publish-dry-run', () => publishCheck(root, pnpmCommand), { debian: CROSS })

step('integration-root', () => vitest('integration', { name: 'integration-root' }), {
  root: 'starts containers as root (integration-rootless is the unprivileged run)',
})

step(
  'integration-asan',
  () =>
    vitest('integration', {
      name: 'integration-asan',
      env: { TESTCELL_LAUNCHER: join(root, 'native/build/asan/testcell-launcher'), ASAN_OPTIONS: 'detect_leaks=0' },
    }),
  { root: 'starts containers as root with the ASan launcher' },
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

const AS_TESTCELL_CI = 'creates the user testcell-ci and runs the tests as that user'

step('integration-rootless', () => rootlessVitest('integration', 'integration-rootless', [['-r', 'test/integration/helpers.ts']]), { root: AS_TESTCELL_CI })

step('escape-root', () => vitest('escape', { name: 'escape-root' }), { root: 'tries to escape containers started as root' })

step(
  'escape-rootless',
  () =>
    rootlessVitest('escape', 'escape-rootless', [
      ['-r', 'test/escape/probe.ts'],
      ['-x', 'native/build/escape-probe'],
    ]),
  { root: AS_TESTCELL_CI },
)

// Images: fixtures made at setup with umoci and skopeo, a real registry (docker-registry) on loopback.
const IMAGE_PACKAGES = ['busybox-static', 'umoci', 'skopeo', 'docker-registry', 'apache2-utils', 'zstd']

step('images-root', () => vitest('images', { name: 'images-root' }), { root: 'starts containers from images as root', debian: IMAGE_PACKAGES })

step('images-rootless', () => rootlessVitest('images', 'images-rootless', [['-r', 'test/images/global-setup.ts']]), {
  root: AS_TESTCELL_CI,
  debian: IMAGE_PACKAGES,
})

// The HTML memory report rendered in headless Chromium, driven over the DevTools protocol on a pipe.
step('browser', () => vitest('browser'), { debian: ['chromium'] })

step('e2e', () => vitest('e2e'), { root: 'the fixtures set memory limits, which need root unless a cgroup v2 subtree is delegated', debian: CROSS })

// testcell run with a memory cap, doctor and the seccomp tests on Debian's arm64 kernel under qemu-system-aarch64.
step('arm64-vm', () => vmChecks(process.execPath, ['test/vm-arm64/run.mjs']), { root: 'installs Debian packages and downloads the arm64 kernel with apt' })

// The v2 driver and clone3 on Debian 12's kernel; then the memory checks (per-test peak windows with the per-fd
// memory.peak reset, a budget kill, the machine running out) on Debian 13's 6.12, in a VM of their own.
step(
  'cgroup-v2-vm',
  () =>
    sumCounts(
      vmChecks(process.execPath, ['test/v2/run.mjs']),
      vmChecks(process.execPath, ['test/v2/run.mjs', 'test/v2/memory-checks.sh', '--kernel', 'trixie']),
    ),
  { root: 'installs qemu and busybox, runs checks as root in the VM' },
)

// Debian 13 (kernel 6.12, systemd 257, AppArmor, Docker) under QEMU: rootless limits through systemd, setup, job containers.
step('debian13-vm', () => vmChecks(process.execPath, ['test/vm/run.mjs']), { root: 'builds the image with mmdebstrap and runs checks as root in the VM' })

/** A VM runner whose output has `CHECK name PASS|FAIL` lines and a summary line. */
function vmChecks(command, args) {
  const run = sh(command, args, { stdio: ['ignore', 'pipe', 'inherit'] })
  process.stdout.write(
    `${run.stdout
      .split('\n')
      .filter((l) => /^(CHECK|cgroup-v2-vm:|debian13-vm:|vm-arm64)/.test(l))
      .join('\n')}\n`,
  )
  const counts = checkCounts(run.stdout)
  if (run.status !== 0 && counts.failed === 0) counts.failed = 1
  return counts
}

function sumCounts(...counts) {
  return { passed: counts.reduce((n, c) => n + c.passed, 0), failed: counts.reduce((n, c) => n + c.failed, 0) }
}

rmSync(reports, { recursive: true, force: true })
const passed = totals.reduce((n, t) => n + t.passed, 0)
const failed = totals.reduce((n, t) => n + t.failed, 0)
const skipped = totals.filter((t) => t.skipped).length
console.log('')
for (const t of totals) {
  const result = t.skipped ? `skipped (${t.skipped})` : `${t.passed} passed, ${t.failed} failed${t.note ? ` (${t.note})` : ''} in ${t.seconds.toFixed(0)} s`
  console.log(`${t.name.padEnd(22)} ${result}`)
}
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`)
process.exitCode = failed === 0 && passed > 0 ? 0 : 1
