import { spawn } from 'node:child_process'
import { startContainer } from '@testcell/core'
import { describe, expect, it } from 'vitest'
import { CLI, cgroupsOf, childrenOf, isRoot, isRunning, processesRunning, processesWith, sh, waitFor } from './helpers.js'

describe('exit status', () => {
  it('propagates exit codes', async () => {
    expect((await sh('exit 3')).result).toMatchObject({ exitCode: 3, signal: null, oomKilled: false })
  })

  it('propagates signals', async () => {
    expect((await sh('kill -TERM $$')).result).toMatchObject({ exitCode: null, signal: 'SIGTERM' })
  })

  it('a plain SIGKILL is not reported as a memory kill', async () => {
    const { result } = await sh('kill -KILL $$', isRoot ? { memory: '64MiB' } : {})
    expect(result).toMatchObject({ signal: 'SIGKILL', oomKilled: false })
  })

  it('a missing command is reported as such, with exit code 127', async () => {
    const container = startContainer({ command: ['no-such-command-here'], stdio: 'pipe' })
    await expect(container.started).rejects.toMatchObject({ code: 'TESTCELL_COMMAND_NOT_FOUND', message: expect.stringMatching(/no-such-command-here/) })
    expect((await container.result).exitCode).toBe(127)
  })

  it('a setup failure names the stage and the path, at once', async () => {
    const container = startContainer({ command: ['true'], workdir: '/definitely/missing/dir' })
    await expect(container.result).rejects.toMatchObject({
      code: 'TESTCELL_LAUNCHER_SETUP',
      failure: expect.objectContaining({ path: '/definitely/missing/dir' }),
    })
  })
})

describe('nothing outlives the container', () => {
  it('a detached grandchild (setsid) dies with the container', async () => {
    const marker = `${Math.floor(Math.random() * 900) + 100}.${process.pid}`
    const { result } = await sh(`setsid sleep ${marker} & sleep 0.1; exit 0`)
    expect(result.exitCode).toBe(0)
    expect(processesWith(`sleep ${marker}`)).toEqual([])
  })

  it('kill() stops a running container and removes its cgroup', async () => {
    const container = startContainer({ command: ['sleep', '1000'], ...(isRoot ? { memory: '64MiB' } : {}) })
    await container.started
    container.kill()
    expect((await container.result).signal).toBe('SIGKILL')
    expect(cgroupsOf(process.pid)).toEqual([])
  })

  it('kill -9 of the testcell CLI leaves no process, cgroup or mount behind', async () => {
    const marker = `${Math.floor(Math.random() * 900) + 100}.${process.pid}1`
    const args = [CLI, 'run', ...(isRoot ? ['--memory', '64MiB'] : []), '--', 'sh', '-c', `setsid sleep ${marker} & sleep ${marker}`]
    const child = spawn(process.execPath, args, { stdio: 'ignore' })
    try {
      // Both sleeps exist only once the container runs (the CLI and the shell merely mention them).
      await waitFor(() => processesRunning(['sleep', marker]).length === 2)
      expect(cgroupsOf(child.pid!).length).toBe(isRoot ? 1 : 0)
      const launchers = childrenOf(child.pid!)
      expect(launchers.length).toBe(1)
      child.kill('SIGKILL')
      await waitFor(() => processesRunning(['sleep', marker]).length === 0 && launchers.every((pid) => !isRunning(pid)))
      await waitFor(() => cgroupsOf(child.pid!).length === 0)
    } finally {
      child.kill('SIGKILL')
    }
  })

  it('a killed launcher takes its container with it and the cgroup is still removed', async () => {
    const marker = `${Math.floor(Math.random() * 900) + 100}.${process.pid}2`
    const container = startContainer({ command: ['sleep', marker], ...(isRoot ? { memory: '64MiB' } : {}) })
    await container.started
    process.kill(container.process.pid!, 'SIGKILL')
    expect((await container.result).signal).toBe('SIGKILL')
    await waitFor(() => processesWith(`sleep ${marker}`).length === 0)
    expect(cgroupsOf(process.pid)).toEqual([])
  })

  it('carries a Node IPC channel to the payload (the Vitest worker path)', async () => {
    const script = 'process.on("message", (m) => { process.send({ echo: m, pid: process.pid }); process.disconnect() })'
    const container = startContainer({ command: [process.execPath, '-e', script], ipc: 'advanced' })
    const reply = new Promise((resolve) => container.process.once('message', resolve))
    container.process.send({ hello: new Map([['a', 1]]) })
    expect(await reply).toEqual({ echo: { hello: new Map([['a', 1]]) }, pid: 2 })
    expect((await container.result).exitCode).toBe(0)
  })
})
