// The fake launcher's protocol side (see ./testcell-launcher). It reads the plan exactly as the launcher does
// (length prefix, NUL tokens, `version 2` first, `end` last), answers with the same status records, and
// obeys `signal N` requests and EOF. What it does instead of building a container:
// - runs the `argv` of the plan as a child in the `cwd` of the plan, with stdio and the kept fds;
// - TESTCELL_FAKE_LAUNCHER in its environment picks a failure to act out:
//   `setup-error` (an `error` record at stage mount), `protocol-1` (a `hello` for protocol 1),
//   `garbage` (a line that is no record), `silent-125` (exit 125 without a record),
//   `unknown-record` (a record type nobody knows, before everything else).
import { spawn } from 'node:child_process'
import { Socket } from 'node:net'
import { constants } from 'node:os'
import { parsePlan } from './plan-reader.mjs'

const scenario = process.env.TESTCELL_FAKE_LAUNCHER ?? ''
const fdArg = process.argv.indexOf('--control-fd')
if (fdArg === -1) {
  process.stderr.write('usage: testcell-launcher --control-fd N\n')
  process.exit(2)
}
const control = new Socket({ fd: Number(process.argv[fdArg + 1]), readable: true, writable: true })
control.on('error', () => {})
const record = (r) => control.write(`${JSON.stringify(r)}\n`)
const finish = (code) => control.end(() => process.exit(code))

if (scenario === 'unknown-record') record({ type: 'weather', sunny: true })
record({ type: 'hello', protocol: scenario === 'protocol-1' ? 1 : 2 })

let input = Buffer.alloc(0)
let payload = null
let planRead = false
control.on('data', (chunk) => {
  input = Buffer.concat([input, chunk])
  if (!planRead) {
    if (input.length < 4) return
    const length = input.readUInt32LE(0)
    if (input.length < 4 + length) return
    planRead = true
    const body = input.subarray(4, 4 + length)
    input = input.subarray(4 + length)
    onPlan(body)
  }
  const text = input.toString('latin1')
  const lines = text.split('\n')
  input = Buffer.from(lines.pop() ?? '', 'latin1')
  for (const line of lines) onRequest(line)
})
control.on('end', () => {
  // The parent is gone: the container goes with it.
  if (payload && payload.exitCode === null && payload.signalCode === null) payload.kill('SIGKILL')
  process.exit(125)
})

function onPlan(body) {
  let ops
  try {
    ops = parsePlan(body)
  } catch (error) {
    record({ type: 'error', stage: 'plan', message: error.message })
    return finish(125)
  }
  if (scenario === 'garbage') {
    control.write('this is no record\n')
    return
  }
  if (scenario === 'silent-125') return finish(125)
  if (scenario === 'setup-error') {
    record({
      type: 'error',
      stage: 'mount',
      syscall: 'mount',
      errno: 2,
      errname: 'ENOENT',
      path: '/nowhere',
      message: 'cannot mount: No such file or directory',
    })
    return finish(125)
  }
  const argv = ops.find((o) => o.op === 'argv')?.args ?? []
  const cwd = ops.find((o) => o.op === 'cwd')?.args[0]
  const kept = ops.filter((o) => o.op === 'keep-fd').map((o) => Number(o.args[0]))
  const stdio = ['inherit', 'inherit', 'inherit']
  for (const fd of kept) stdio[fd] = fd
  const env = { ...process.env }
  delete env.TESTCELL_FAKE_CHANNEL_FD
  if (process.env.TESTCELL_FAKE_CHANNEL_FD) env.NODE_CHANNEL_FD = process.env.TESTCELL_FAKE_CHANNEL_FD
  payload = spawn(argv[0], argv.slice(1), { cwd, env, stdio })
  payload.once('spawn', () => {
    record({ type: 'pid', pid: payload.pid })
    record({ type: 'started' })
  })
  payload.once('error', (error) => {
    const errno = constants.errno[error.code] ?? 2
    const message = errno === 2 ? `command not found: ${argv[0]}` : `cannot execute ${argv[0]}: ${error.code}`
    record({ type: 'exec-failed', syscall: 'execvpe', errno, errname: error.code, path: argv[0], message })
    record({ type: 'exit', code: errno === 2 ? 127 : 126, files: {} })
    finish(errno === 2 ? 127 : 126)
  })
  payload.once('exit', (code, signal) => {
    if (signal) record({ type: 'exit', signal: constants.signals[signal], files: {} })
    else record({ type: 'exit', code, files: {} })
    finish(signal ? 128 + constants.signals[signal] : code)
  })
}

function onRequest(line) {
  const match = /^signal (\d+)$/.exec(line)
  if (!match || !payload) return // unknown requests are ignored
  const name = Object.entries(constants.signals).find(([, n]) => n === Number(match[1]))?.[0]
  if (name && payload.exitCode === null && payload.signalCode === null) payload.kill(name)
}
