// Launcher benchmark: /bin/true through plain fork+exec, util-linux unshare, the testcell launcher with the
// full default setup (overlay root, cgroup with a memory cap, all namespaces) and bwrap --unshare-all,
// interleaved in one run. Run from the repository root: pnpm bench:launcher [rounds]
import { execFileSync, spawn } from 'node:child_process'
import { startContainer } from '@testcell/core'

const rounds = Number(process.argv[2] ?? 200)

function ensureBwrap() {
  try {
    execFileSync('bwrap', ['--version'], { stdio: 'ignore' })
  } catch {
    console.log('installing bubblewrap (Debian package) for the comparison…')
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore' })
    execFileSync('apt-get', ['install', '-y', '-qq', 'bubblewrap'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
  }
}

function timeSpawn(cmd, args) {
  return new Promise((resolve, reject) => {
    const start = performance.now()
    const child = spawn(cmd, args, { stdio: 'ignore' })
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - start) : reject(new Error(`${cmd} exited ${code}`))))
  })
}

async function timeTestcell() {
  const start = performance.now()
  const container = startContainer({ command: ['/bin/true'], memory: '256MiB', workdir: '/', visiblePaths: [], stdio: 'inherit' })
  const result = await container.result
  if (result.exitCode !== 0) throw new Error(`testcell exited ${result.exitCode}`)
  return performance.now() - start
}

const variants = {
  'fork+exec': () => timeSpawn('/bin/true', []),
  unshare: () => timeSpawn('unshare', ['--mount', '--pid', '--net', '--uts', '--ipc', '--fork', '/bin/true']),
  testcell: timeTestcell,
  bwrap: () => timeSpawn('bwrap', ['--unshare-all', '--die-with-parent', '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '/bin/true']),
}

ensureBwrap()
const samples = Object.fromEntries(Object.keys(variants).map((name) => [name, []]))
for (const fn of Object.values(variants)) await fn() // warm up
for (let i = 0; i < rounds; i++) {
  for (const [name, fn] of Object.entries(variants)) samples[name].push(await fn())
}

const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
}
const median = Object.fromEntries(Object.entries(samples).map(([name, v]) => [name, quantile(v, 0.5)]))
console.log(`${rounds} interleaved rounds, /bin/true, ms`)
console.log('variant      median     p90   overhead')
for (const [name, values] of Object.entries(samples)) {
  const overhead = median[name] - median['fork+exec']
  console.log(`${name.padEnd(10)} ${median[name].toFixed(2).padStart(8)} ${quantile(values, 0.9).toFixed(2).padStart(7)} ${overhead.toFixed(2).padStart(10)}`)
}
const over = (name) => (median[name] - median['fork+exec']).toFixed(2)
console.log(`launcher overhead: ${over('testcell')} ms (unshare ${over('unshare')} ms, bwrap ${over('bwrap')} ms)`)
