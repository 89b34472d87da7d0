import { type ContainerOptions, startContainer } from '@testcell/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FAKE_LAUNCHER, fakeLauncherEnv } from './fake-launcher.js'

// The Container state machine of @testcell/core against a launcher that speaks the protocol: no root, no
// namespaces, fast. The real launcher's side is tested by the native and integration tiers.
const saved = process.env.TESTCELL_LAUNCHER
beforeAll(() => {
  process.env.TESTCELL_LAUNCHER = FAKE_LAUNCHER
})
afterAll(() => {
  if (saved === undefined) delete process.env.TESTCELL_LAUNCHER
  else process.env.TESTCELL_LAUNCHER = saved
})

const start = (command: string[], scenario?: string, options: Partial<ContainerOptions> = {}) =>
  startContainer({ command, env: fakeLauncherEnv(scenario), ...options })

describe('Container with a launcher that speaks protocol 2', () => {
  it('started, then the exit code; stdio and the IPC channel reach the payload', async () => {
    const script = 'process.once("message", (m) => { process.send({ echo: m }); console.log("out"); process.disconnect() })'
    const container = start([process.execPath, '-e', script], undefined, { ipc: 'advanced' })
    let stdout = ''
    container.process.stdout!.on('data', (d: Buffer) => (stdout += d))
    const reply = new Promise((resolve) => container.process.once('message', resolve))
    await container.started
    container.process.send({ hello: new Map([['a', 1]]) })
    expect(await reply).toEqual({ echo: { hello: new Map([['a', 1]]) } })
    expect(await container.result).toMatchObject({ exitCode: 0, signal: null, oomKilled: false })
    expect(stdout).toBe('out\n')
  })

  it('an exec-failed record rejects started with TESTCELL_COMMAND_NOT_FOUND; the result is exit 127', async () => {
    const container = start(['/nonexistent/testcell-no-such-command'])
    await expect(container.started).rejects.toMatchObject({ code: 'TESTCELL_COMMAND_NOT_FOUND', message: /testcell-no-such-command/ })
    expect((await container.result).exitCode).toBe(127)
  })

  it('an error record rejects started and result with the stage, the syscall and the path', async () => {
    const container = start(['true'], 'setup-error')
    await expect(container.started).rejects.toMatchObject({ code: 'TESTCELL_LAUNCHER_SETUP' })
    await expect(container.result).rejects.toMatchObject({
      code: 'TESTCELL_LAUNCHER_SETUP',
      message: 'container setup failed at mount: cannot mount: No such file or directory [mount(/nowhere) ENOENT]',
    })
  })

  it('a launcher of another protocol version is refused, naming both versions and where it was found', async () => {
    const container = start(['true'], 'protocol-1')
    await expect(container.result).rejects.toMatchObject({
      code: 'TESTCELL_LAUNCHER_PROTOCOL',
      message: expect.stringMatching(new RegExp(`the launcher ${FAKE_LAUNCHER} speaks protocol version 1, but this @testcell/core speaks version 2`)),
    })
  })

  it('a line that is no record is a protocol error', async () => {
    await expect(start(['true'], 'garbage').result).rejects.toMatchObject({ code: 'TESTCELL_LAUNCHER_PROTOCOL' })
  })

  it('records of unknown types are ignored', async () => {
    expect(await start(['true'], 'unknown-record').result).toMatchObject({ exitCode: 0 })
  })

  it('a launcher that exits 125 without a record is a setup failure that says so', async () => {
    await expect(start(['true'], 'silent-125').result).rejects.toThrow(/exited 125 without saying why/)
  })

  it('kill() is a request on the control socket: SIGKILL ends the payload, SIGTERM reaches it', async () => {
    const killed = start(['sleep', '100'])
    await killed.started
    killed.kill('SIGKILL')
    expect(await killed.result).toMatchObject({ exitCode: null, signal: 'SIGKILL' })
    const script = 'process.on("SIGTERM", () => { console.log("got SIGTERM"); process.exit(7) }); setInterval(() => {}, 1000); console.log("ready")'
    const termed = start([process.execPath, '-e', script])
    let stdout = ''
    const ready = new Promise<void>((resolve) =>
      termed.process.stdout!.on('data', (d: Buffer) => {
        stdout += d
        if (stdout.includes('ready')) resolve()
      }),
    )
    await ready
    termed.kill('SIGTERM')
    expect(await termed.result).toMatchObject({ exitCode: 7 })
    expect(stdout).toMatch(/got SIGTERM/)
  })

  it('stop() asks with SIGTERM and kills after the grace time', async () => {
    const container = start([process.execPath, '-e', 'process.on("SIGTERM", () => {}); setInterval(() => {}, 1000)'])
    await container.started
    await new Promise((r) => setTimeout(r, 200)) // its SIGTERM handler is in place
    expect(await container.stop(300)).toMatchObject({ signal: 'SIGKILL' })
  })
})
