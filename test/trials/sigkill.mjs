// The runner SIGKILL trial: `pnpm trial:sigkill [runs] [--window FROM-TO]`, as root or wherever testcell makes
// cgroups. A first run is left to finish: it measures a whole run. Then each of `runs` runs (default 50) starts
// the repository's Vitest on test/trials/sigkill-fixture (container files with a memory budget that leave
// processes behind), SIGKILLs Vitest's main process at a random moment (uniform over the whole run: start-up,
// container starts, tests, teardown; or over FROM-TO ms after the spawn), gives the launchers a moment, and
// counts what is left of that run:
//   processes  whose command line carries the run's marker (the fixture's leftover `sleep`) or whose
//              environment does (launchers, inits, workers: they inherit it from Vitest);
//   mounts     overlay or testcell mounts new in this mount namespace, and each mount namespace that a
//              leftover process still holds (container mounts live in their own namespaces);
//   cgroups    `testcell-<Vitest pid>-*` below the parents testcell itself uses (hostInfo()).
// One line per run, then "sigkill trial: N runs, P processes, M mounts, C cgroups left" (the whole run's
// leftovers included); exit 1 when anything was left. What it finds it removes, touching only its own runs'
// processes and cgroups (by marker, pid and name). A cgroup left behind is kept until a later run has started
// a container, to see the start-up backstop (collectGarbageOnce) collect it; the trial removes the rest.
import { spawn } from 'node:child_process'
import { randomInt } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { hostInfo } from '../../packages/core/dist/host/host-info.js'

const [RUNS, WINDOW] = parseArgs(process.argv.slice(2))
const GRACE_MS = 5000 // how long the launchers may take to clean up once Vitest is dead
const SLOW_MS = 500 // leftovers still there after this long are shown even when they go away later
const root = resolve(import.meta.dirname, '../..')
const fixture = join(import.meta.dirname, 'sigkill-fixture')
const vitest = join(root, 'node_modules/vitest/vitest.mjs')
const parents = hostInfo().cgroups.driver?.parents ?? []
const hostMountNs = readlinkSync('/proc/self/ns/mnt')

if (parents.length === 0) fail(`testcell makes no cgroups on this host as this user: ${hostInfo().cgroups.problems.join('; ')}`)

const cache = mkdtempSync(join(tmpdir(), 'testcell-sigkill-trial-'))
const baselineMounts = new Set(hostMounts())
let stopping = false
process.on('SIGINT', () => {
  stopping = true
})
try {
  process.exitCode = await trial()
} finally {
  rmSync(cache, { recursive: true, force: true })
}

async function trial() {
  const calibration = await run({ index: 0, killAtMs: null })
  if (calibration.exitCode !== 0) {
    for (const dir of calibration.left.cgroups) await removeCgroup(dir)
    console.error(`sigkill trial: the fixture's run without a kill exited ${calibration.exitCode}: run vitest in ${fixture} to see why`)
    return 2
  }
  const window = WINDOW ?? [0, calibration.ms]
  console.log(
    `a whole run takes ${calibration.ms} ms, ${calibration.containersStarted} containers seen, and leaves ${describe(calibration.left)}; killing ${RUNS} runs in [${window[0]}, ${window[1]}] ms`,
  )
  // What the whole run left counts too (it would be a bug of its own).
  const total = { processes: calibration.left.processes.length, mounts: calibration.left.mounts.length, cgroups: calibration.left.cgroups.length }
  for (const item of [...calibration.left.processes, ...calibration.left.mounts, ...calibration.left.cgroups]) console.log(`  left: ${item}`)
  let pending = [...calibration.left.cgroups] // cgroups left by earlier runs, until a run that starts a container collects them
  let collected = 0
  let runs = 0
  let unkilled = 0
  for (let index = 1; index <= RUNS && !stopping; index++) {
    const result = await run({ index, killAtMs: window[0] + Math.random() * (window[1] - window[0]) })
    runs++
    if (result.finished) unkilled++
    for (const kind of Object.keys(total)) total[kind] += result.left[kind].length
    const late = result.cleanMs === null ? 'not clean' : `clean after ${result.cleanMs} ms`
    console.log(`run ${index}/${RUNS}: killed at ${result.ms} ms (${result.phase}), left ${describe(result.left)} (${late})`)
    for (const item of [...result.left.processes, ...result.left.mounts, ...result.left.cgroups]) console.log(`  left: ${item}`)
    for (const item of result.slow) console.log(`  still there after ${SLOW_MS} ms: ${item}`)
    if (result.containersStarted > 0) {
      const gone = pending.filter((dir) => !existsSync(dir))
      if (gone.length > 0) console.log(`  collected at this run's first container start: ${gone.join(', ')}`)
      collected += gone.length
      pending = pending.filter((dir) => existsSync(dir))
    }
    pending.push(...result.left.cgroups)
  }
  for (const dir of pending) await removeCgroup(dir)
  if (collected > 0 || pending.length > 0) {
    console.log(`of the cgroups left, ${collected} were collected by the next run's start, ${pending.length} removed by this trial`)
  }
  if (unkilled > 0) console.log(`${unkilled} of the runs had finished before their moment came (their leftovers count too)`)
  console.log(`sigkill trial: ${runs} runs, ${total.processes} processes, ${total.mounts} mounts, ${total.cgroups} cgroups left`)
  return total.processes + total.mounts + total.cgroups > 0 ? 1 : 0
}

/**
 * One Vitest run, SIGKILLed after `killAtMs` (or left to finish when null); then what it left, cleaned up.
 */
async function run({ index, killAtMs }) {
  const marker = `${randomInt(100_000, 1_000_000)}.${index}`
  const start = performance.now()
  const child = spawn(process.execPath, [vitest, 'run'], {
    cwd: fixture,
    env: { ...process.env, TESTCELL_TRIAL_MARKER: marker, TESTCELL_TRIAL_CACHE: cache },
    stdio: 'ignore',
  })
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)))
  const launchers = new Set()
  let running = 0
  const elapsed = () => Math.round(performance.now() - start)
  while (child.exitCode === null && child.signalCode === null && (killAtMs === null || performance.now() - start < killAtMs)) {
    running = 0
    for (const pid of childrenOf(child.pid)) {
      if (!isLauncher(pid)) continue
      launchers.add(pid)
      running++
    }
    await sleep(killAtMs === null ? 5 : Math.min(5, Math.max(0, killAtMs - (performance.now() - start))))
  }
  const finished = child.exitCode !== null || child.signalCode !== null
  const killedAtMs = elapsed()
  if (!finished) child.kill('SIGKILL')
  const exitCode = await exited
  const phase = finished
    ? 'it had finished'
    : launchers.size === 0
      ? 'start-up'
      : running > 0
        ? `${running} container${running > 1 ? 's' : ''} running, ${launchers.size} seen started`
        : `no container running, ${launchers.size} seen started`

  const killedAt = performance.now()
  let left = leftovers(child.pid, marker)
  const slow = new Set()
  while (count(left) > 0 && performance.now() - killedAt < GRACE_MS) {
    await sleep(25)
    left = leftovers(child.pid, marker)
    if (performance.now() - killedAt < SLOW_MS) continue
    const now = describeLeft(left)
    for (const item of [...now.processes, ...now.mounts, ...now.cgroups]) slow.add(item)
  }
  const cleanMs = count(left) === 0 ? Math.round(performance.now() - killedAt) : null
  await cleanUp(child.pid, marker)
  return {
    exitCode,
    finished,
    ms: killedAtMs,
    phase,
    left: describeLeft(left),
    slow: cleanMs === null ? [] : [...slow],
    cleanMs,
    containersStarted: launchers.size,
  }
}

/** What is left of one run: processes, mounts (new on the host, or held in namespaces), cgroups. */
function leftovers(vitestPid, marker) {
  const processes = processesOf(marker)
  const namespaces = new Map()
  for (const { pid } of processes) {
    const ns = link(`/proc/${pid}/ns/mnt`)
    if (ns && ns !== hostMountNs && !namespaces.has(ns)) namespaces.set(ns, pid)
  }
  const mounts = [
    ...hostMounts()
      .filter((m) => !baselineMounts.has(m))
      .map((m) => `host mount ${m}`),
    ...[...namespaces].map(([ns, pid]) => `${ns} held by pid ${pid}, with ${overlayMounts(pid)} overlay mounts`),
  ]
  return { processes, mounts, cgroups: cgroupsOf(vitestPid) }
}

function describeLeft(left) {
  return { processes: left.processes.map((p) => `pid ${p.pid}: ${p.command}`), mounts: left.mounts, cgroups: left.cgroups }
}

function count(left) {
  return left.processes.length + left.mounts.length + left.cgroups.length
}

function describe(left) {
  return `${left.processes.length} processes, ${left.mounts.length} mounts, ${left.cgroups.length} cgroups`
}

/** Kills the run's leftover processes (by pid, each checked to carry the marker) and empties its cgroups. */
async function cleanUp(vitestPid, marker) {
  for (const { pid } of processesOf(marker)) kill(pid)
  for (const dir of cgroupsOf(vitestPid)) {
    for (const pid of (read(join(dir, 'cgroup.procs')) ?? '').split('\n').filter(Boolean)) kill(Number(pid))
  }
  const deadline = Date.now() + GRACE_MS
  while (processesOf(marker).length > 0 && Date.now() < deadline) await sleep(25)
}

/** Live (not zombie) processes carrying the marker in their command line or environment. */
function processesOf(marker) {
  const found = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
    const cmdline = read(`/proc/${entry}/cmdline`)
    const environ = read(`/proc/${entry}/environ`)
    const state = read(`/proc/${entry}/stat`)?.split(') ')[1]?.[0]
    if (!cmdline || state === 'Z' || state === undefined) continue
    const ours = cmdline.split('\0').includes(marker) || `\0${environ}`.includes(`\0TESTCELL_TRIAL_MARKER=${marker}\0`)
    if (ours) found.push({ pid: Number(entry), command: cmdline.split('\0').join(' ').trim() })
  }
  return found
}

function cgroupsOf(vitestPid) {
  return parents.flatMap((parent) =>
    readdirSync(parent)
      .filter((name) => name.startsWith(`testcell-${vitestPid}-`))
      .map((name) => join(parent, name)),
  )
}

/** Overlay or testcell mounts of this mount namespace, as "mount point (type source)". */
function hostMounts() {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((line) => / - overlay /.test(line) || line.includes('testcell'))
    .map((line) => {
      const [before, after] = line.split(' - ')
      return `${before.split(' ')[4]} (${after.split(' ').slice(0, 2).join(' ')})`
    })
}

function overlayMounts(pid) {
  return (read(`/proc/${pid}/mountinfo`) ?? '').split('\n').filter((line) => / - overlay /.test(line)).length
}

function childrenOf(pid) {
  return (read(`/proc/${pid}/task/${pid}/children`) ?? '').split(' ').filter(Boolean).map(Number)
}

function isLauncher(pid) {
  return link(`/proc/${pid}/exe`)?.endsWith('/testcell-launcher') ?? false
}

async function removeCgroup(dir) {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      rmdirSync(dir)
      return
    } catch (error) {
      if (error.code === 'ENOENT') return
      await sleep(20)
    }
  }
  console.log(`  could not remove ${dir}`)
}

function kill(pid) {
  try {
    process.kill(pid, 'SIGKILL')
  } catch {
    // gone already
  }
}

function read(path) {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return null
  }
}

function link(path) {
  try {
    return readlinkSync(path)
  } catch {
    return null
  }
}

/** `[runs] [--window FROM-TO]`: how many runs, and optionally when to kill (ms after Vitest's spawn). */
function parseArgs(args) {
  const usage = 'usage: node test/trials/sigkill.mjs [runs] [--window FROM-TO]'
  const at = args.indexOf('--window')
  const window = at === -1 ? null : (args.splice(at, 2)[1] ?? '').split('-').map(Number)
  if (window && !(window.length === 2 && window.every(Number.isFinite) && window[0] <= window[1]))
    fail(`${usage}: --window wants two times in ms, like 400-900`)
  const runs = Number(args[0] ?? 50)
  if (!Number.isInteger(runs) || runs < 1 || args.length > 1) fail(`${usage}: "${args.join(' ')}" is not a number of runs`)
  return [runs, window]
}

function fail(message) {
  console.error(`sigkill trial: ${message}`)
  process.exit(2)
}
