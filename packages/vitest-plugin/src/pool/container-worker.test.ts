import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { type Container, startContainer } from '@testcell/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { WorkerRequest } from 'vitest/node'
import { FAKE_LAUNCHER, fakeLauncherEnv } from '../../../../test/fake-launcher/fake-launcher.js'
import { FileMemoryWatch } from '../memory/watch.js'
import { ContainerPoolWorker, type ContainerWorkerContext } from './container-worker.js'
import { describeEnd } from './verdict.js'
import { compatFor } from './vitest-compat.js'

// The pool worker's state machine, without root: real Containers started by the fake launcher (it speaks the
// launcher protocol and runs the payload as a plain child), and a stand-in for Vitest's worker as the payload,
// scripted per scenario. The real launcher and Vitest are covered by the e2e tier.
const FAKE_WORKER = `
const scenario = process.env.SCENARIO
const answer = (type) => process.send({ __vitest_worker_response__: true, type })
process.on('message', (m) => {
  if (m.type === 'start') {
    if (scenario === 'die-starting') return process.kill(process.pid, 'SIGKILL')
    answer('started')
  }
  if (m.type === 'run') {
    if (scenario === 'forge') process.send({ __testcell__: 'snapshot', method: 'saveFileSnapshot', path: '/etc/x', content: 'x' })
    if (scenario === 'die-running') {
      // killed as soon as the last chunk left the process: it is in the pipe, not yet read by the pool
      return process.stdout.write('x'.repeat(1 << 20) + 'THE TAIL\\n', () => process.kill(process.pid, 'SIGKILL'))
    }
    answer('testfileFinished')
    if (scenario === 'die-after-run') setTimeout(() => process.kill(process.pid, 'SIGKILL'), 10)
  }
  if (m.type === 'stop') {
    if (scenario === 'die-stopping') return process.kill(process.pid, 'SIGKILL')
    process.send({ __vitest_worker_response__: true, type: 'stopped' }, () => process.exit(0))
  }
})
`
const dir = mkdtempSync(join(tmpdir(), 'testcell-worker-'))
const script = join(dir, 'fake-worker.cjs')
writeFileSync(script, FAKE_WORKER)
const savedLauncher = process.env.TESTCELL_LAUNCHER
beforeAll(() => {
  process.env.TESTCELL_LAUNCHER = FAKE_LAUNCHER
})
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
  if (savedLauncher === undefined) delete process.env.TESTCELL_LAUNCHER
  else process.env.TESTCELL_LAUNCHER = savedLauncher
})

/** A container whose payload is the scripted worker; `launcher` picks a failure the fake launcher acts out. */
function launchScripted(scenario: string, launcher?: string, command = [process.execPath, script]): Container {
  return startContainer({ command, ipc: 'advanced', stdio: 'pipe', env: { ...fakeLauncherEnv(launcher), SCENARIO: scenario } })
}

/** Vitest's logger stream, a slow one: the output tail arrives well after the worker's exit. */
class Collector extends Writable {
  text = ''
  override _write(chunk: Buffer, _: string, done: () => void): void {
    setTimeout(() => {
      this.text += chunk
      done()
    }, 5)
  }
}

const FILE = '/project/tests/a.test.ts'
const request = (type: string, extra: object = {}) => ({ __vitest_worker_request__: true, type, ...extra }) as unknown as WorkerRequest
const run = request('run', { context: { files: [{ filepath: FILE }] } })

function setup(scenario: string, vitestVersion = '5.1.1', launch = () => launchScripted(scenario)) {
  const logger = { outputStream: new Collector(), errorStream: new Collector() }
  const seen: unknown[][] = []
  const memory: unknown[] = []
  const side: unknown[] = []
  const deaths: string[] = []
  const watch = new FileMemoryWatch({ limitBytes: null, options: {}, heapLimit: null })
  const context: ContainerWorkerContext = {
    root: '/project',
    logger,
    compat: compatFor(vitestVersion),
    launch,
    takeSideMessage: (message, files) => side.push([message, files]),
    recordMemory: (file, m) => memory.push([file, m]),
    describeEnd: (result, file, cause) => describeEnd(watch, result, file, '/project', cause),
    onDeath: (file) => deaths.push(file),
  }
  const worker = new ContainerPoolWorker(context)
  // Listens as Vitest's PoolRunner does: responses, errors and exits.
  const listen = () => {
    worker.on('message', (m: { type: string; error?: Error }) => seen.push(['message', m.type, ...(m.error ? [m.error.message] : [])]))
    worker.on('error', (e: Error) => seen.push(['error', e.message, logger.outputStream.text.includes('THE TAIL')]))
    worker.on('exit', (code: number | null, signal: string | null) => seen.push(['exit', code, signal]))
  }
  const next = (count: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`waited for ${count} events, saw ${JSON.stringify(seen)}`)), 5000)
      const check = () => {
        if (seen.length < count) return void setTimeout(check, 5)
        clearTimeout(timer)
        resolve()
      }
      check()
    })
  /** Starts the worker as Vitest does and runs the file: `started`, then `testfileFinished` (or whatever comes). */
  const startAndRun = async () => {
    await worker.start()
    listen()
    worker.send(request('start'))
    await next(1)
    worker.send(run)
    await next(2)
  }
  return { worker, listen, seen, next, startAndRun, memory, side, deaths, logger }
}

describe('ContainerPoolWorker', () => {
  it('carries a whole lifecycle; an exit after stop is no news', async () => {
    const { worker, startAndRun, seen, next, memory } = setup('normal')
    await startAndRun()
    worker.send(request('stop'))
    await next(3)
    await worker.stop()
    expect(seen).toEqual([
      ['message', 'started'],
      ['message', 'testfileFinished'],
      ['message', 'stopped'],
      ['exit', 0, null],
    ])
    // No cgroup under the fake launcher: the peak is unknown, but recorded at the answer and at the end.
    expect(memory).toEqual([
      [FILE, { peakBytes: null }],
      [FILE, { peakBytes: null }],
    ])
  })

  it.each(['4.1.12', '5.1.1'])('Vitest %s: a death while running is one error event naming the file, after the output tail', async (version) => {
    const { worker, startAndRun, seen, memory, deaths } = setup('die-running', version)
    await startAndRun()
    await worker.stop()
    expect(seen).toEqual([
      ['message', 'started'],
      ['error', 'killed by signal SIGKILL, not by a memory limit (the kernel counted no OOM kill) while running tests/a.test.ts', true],
    ])
    expect(memory.at(-1)).toEqual([FILE, { peakBytes: null, endedEarly: 'killed by SIGKILL' }])
    expect(deaths).toEqual([FILE])
  })

  it('Vitest 4: a death while starting is answered with a failed start (no 60 s wait)', async () => {
    const { worker, listen, seen, next } = setup('die-starting', '4.1.12')
    await worker.start()
    listen()
    worker.send(request('start'))
    await next(1)
    expect(seen).toEqual([
      [
        'message',
        'started',
        'killed by signal SIGKILL, not by a memory limit (the kernel counted no OOM kill) while its worker was starting, before its test file ran',
      ],
    ])
  })

  it('Vitest 5: a death while starting is an error event (Vitest rejects the start itself)', async () => {
    const { worker, listen, seen, next } = setup('die-starting', '5.1.1')
    await worker.start()
    listen()
    worker.send(request('start'))
    await next(1)
    expect(seen).toEqual([['error', expect.stringMatching(/killed by signal SIGKILL, not by a memory limit .* while its worker was starting/), false]])
  })

  it.each(['4.1.12', '5.1.1'])('Vitest %s: a death while stopping is answered with a failed stop, never an error event', async (version) => {
    const { worker, startAndRun, seen, next } = setup('die-stopping', version)
    await startAndRun()
    worker.send(request('stop'))
    await next(3)
    expect(seen[2]).toEqual([
      'message',
      'stopped',
      'killed by signal SIGKILL, not by a memory limit (the kernel counted no OOM kill) while running tests/a.test.ts',
    ])
    await worker.stop()
    expect(seen).toHaveLength(3)
  })

  it('a death while nothing is pending waits for the next request', async () => {
    const { worker, startAndRun, seen, next } = setup('die-after-run')
    await startAndRun()
    await new Promise((r) => setTimeout(r, 300))
    expect(seen).toHaveLength(2)
    worker.send(request('stop'))
    await next(3)
    expect(seen[2]).toEqual([
      'message',
      'stopped',
      expect.stringMatching(/killed by signal SIGKILL, not by a memory limit .* while running tests\/a\.test\.ts/),
    ])
  })

  it('hands side-channel messages to the context with the running files, never to Vitest', async () => {
    const { worker, startAndRun, seen, next, side } = setup('forge')
    await startAndRun()
    expect(side).toEqual([[{ __testcell__: 'snapshot', method: 'saveFileSnapshot', path: '/etc/x', content: 'x' }, [FILE]]])
    expect(seen.map((e) => e[1])).toEqual(['started', 'testfileFinished'])
    worker.send(request('stop'))
    await next(3)
    await worker.stop()
  })

  it("a container that cannot be built fails start() with the launcher's cause, and nothing else is reported", async () => {
    const { worker, listen, seen } = setup('normal', '5.1.1', () => launchScripted('normal', 'setup-error'))
    listen()
    const error = await worker.start().catch((e: Error) => e)
    expect(error).toMatchObject({ code: 'TESTCELL_CONTAINER_START', message: 'the container could not start' })
    expect((error as Error).cause).toMatchObject({ code: 'TESTCELL_LAUNCHER_SETUP', message: /setup failed at mount/ })
    expect(seen).toEqual([])
  })

  it('a Node the container cannot find fails start() with "command not found"', async () => {
    const { worker } = setup('normal', '5.1.1', () => launchScripted('normal', undefined, ['/nowhere/bin/node']))
    const error = await worker.start().catch((e: Error) => e)
    expect((error as Error).cause).toMatchObject({ code: 'TESTCELL_COMMAND_NOT_FOUND', message: 'command not found: /nowhere/bin/node' })
  })

  it('options the container refuses fail start() as they are', async () => {
    const { worker } = setup('normal', '5.1.1', () => {
      throw new Error('invalid memory')
    })
    await expect(worker.start()).rejects.toThrow('invalid memory')
  })

  it('stop() kills a worker that does not end by itself', async () => {
    const { worker, listen, seen, next } = setup('normal')
    await worker.start()
    listen()
    worker.send(request('start'))
    await next(1)
    const started = performance.now()
    await worker.stop()
    expect(performance.now() - started).toBeLessThan(4000)
    expect(seen.at(-1)).toEqual(['exit', null, 'SIGKILL'])
  })
})
