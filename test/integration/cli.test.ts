import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cli, tempProject } from './helpers.js'

describe('testcell run', () => {
  it('runs a command with the caller environment plus -e, in the working directory', async () => {
    const { code, stdout } = await cli(['run', '-e', 'EXTRA=yes', '-w', '/usr', '--', 'sh', '-c', 'echo $EXTRA $PWD $PATH'])
    expect(code).toBe(0)
    expect(stdout.trim()).toBe(`yes /usr ${process.env.PATH}`)
  })

  it('exits with the payload status, 128+N for signal N', async () => {
    expect((await cli(['run', '--', 'sh', '-c', 'exit 7'])).code).toBe(7)
    expect((await cli(['run', '--', 'sh', '-c', 'kill -TERM $$'])).code).toBe(143)
  })

  it('writes the exit result to --result-json', async () => {
    using project = tempProject()
    const file = join(project.dir, 'result.json')
    await cli(['run', '--result-json', file, '--', 'sh', '-c', 'exit 4'])
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ exitCode: 4, signal: null, oomKilled: false, durationMs: expect.any(Number) })
  })

  it.each([
    [['run', '--memory', 'lots', '--', 'true'], /invalid memory: "lots"; expected a size such as 256MiB/],
    [['run', '--network', 'bridge', '--', 'true'], /invalid network: "bridge"; expected one of "loopback", "none", "host"/],
    [['run', '-v', '/no/such/source:/x', '--', 'true'], /invalid volume: "\/no\/such\/source:\/x"; expected a source path that exists/],
    [['run', '--frobnicate', 'true'], /invalid flag: "--frobnicate"/],
    [['run'], /expected a command to run/],
  ])('bad options exit 2 with a clear message: %j', async (args, message) => {
    const { code, stderr } = await cli(args)
    expect(code).toBe(2)
    expect(stderr).toMatch(message)
  })

  it('a missing command exits 127 with a clear message', async () => {
    const { code, stderr } = await cli(['run', '--', 'no-such-command-xyz'])
    expect(code).toBe(127)
    expect(stderr).toMatch(/command not found: no-such-command-xyz/)
  })

  it('a missing working directory exits 125 naming the path', async () => {
    const { code, stderr } = await cli(['run', '-w', '/no/such/dir', '--', 'true'])
    expect(code).toBe(125)
    expect(stderr).toMatch(/\/no\/such\/dir/)
  })
})

describe('testcell doctor', () => {
  it('doctor reports the mode and exits 0 on this host', async () => {
    const { code, stdout } = await cli(['doctor'])
    expect(stdout).toMatch(/^ok\s+container \((root|rootless)\)/m)
    expect(stdout).toMatch(/^mode: (root|rootless), containers can run/m)
    expect(code).toBe(0)
  })
})
