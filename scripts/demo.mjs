// The demo: a small suite in fixtures/demo, every file in its own container. Two files bind the same fixed
// port at once, one writes to /etc, one leaves a process running, one leaks past its 96 MiB budget.
// Vitest's exit code is 1 because of that leak; this script checks that exactly the expected happened.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const demo = join(root, 'fixtures/demo')
const out = mkdtempSync(join(tmpdir(), 'testcell-demo-'))
const report = join(out, 'report.json')

console.log('Running fixtures/demo with `vitest run`: each test file in its own container.\n')
// Vitest's output goes to the terminal as it comes, and is kept: the leak's verdict is in Vitest's error output.
let output = ''
const run = await new Promise((done) => {
  const child = spawn(
    process.execPath,
    [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`],
    { cwd: demo, stdio: ['inherit', 'pipe', 'pipe'] },
  )
  const keep = (to) => (d) => {
    to.write(d)
    output += d
  }
  child.stdout.on('data', keep(process.stdout))
  child.stderr.on('data', keep(process.stderr))
  child.on('close', (status) => done({ status }))
})
const results = existsSync(report) ? JSON.parse(readFileSync(report, 'utf8')).testResults : []
rmSync(out, { recursive: true, force: true })

const byFile = Object.fromEntries(results.map((r) => [r.name.slice(demo.length + 1), r]))
const status = Object.fromEntries(Object.entries(byFile).map(([file, r]) => [file, r.status]))
const [portA, portB] = [byFile['tests/port-a.test.ts'], byFile['tests/port-b.test.ts']]
const portsOverlapped = !!portA && !!portB && portA.startTime < portB.endTime && portB.startTime < portA.endTime
const leak = results.find((r) => r.name.endsWith('leaks.test.ts'))
const leftovers = readdirSync('/proc')
  .filter((p) => /^\d+$/.test(p))
  .filter((p) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'utf8') === 'sleep\u00004242\u0000'
    } catch {
      return false
    }
  })
const checks = [
  [
    'both files on port 4321 passed, at the same time',
    status['tests/port-a.test.ts'] === 'passed' && status['tests/port-b.test.ts'] === 'passed' && portsOverlapped,
  ],
  ['the write to /etc stayed in its container', status['tests/writes-etc.test.ts'] === 'passed' && !existsSync('/etc/testcell-demo')],
  ['the process left running died with its container', status['tests/leaves-process.test.ts'] === 'passed' && leftovers.length === 0],
  [
    'the leak was killed by its budget and reported as such',
    leak?.status === 'failed' && /killed: memory limit 96 MiB exceeded \(peak .*\) while running tests\/leaks\.test\.ts/.test(output),
  ],
]
console.log('\nWhat the demo shows:')
for (const [name, ok] of checks) console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${name}`)
const expected = checks.every(([, ok]) => ok) && run.status === 1
console.log(expected ? '\nDemo ran as expected (vitest exited 1 only because of the caught leak).' : '\nThe demo did not behave as expected.')
process.exitCode = expected ? 0 : 1
