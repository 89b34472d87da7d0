import { spawn } from 'node:child_process'
import { startContainer } from '@testcell/core'
import { describe, expect, it } from 'vitest'
import { CLI, waitFor } from './helpers.js'

// Counts the signals it gets and prints the counts when asked to stop (SIGUSR2) or after a while.
const COUNTER = `
const counts = {}
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, () => { counts[s] = (counts[s] ?? 0) + 1 })
process.on('SIGUSR2', () => { console.log(JSON.stringify(counts)); process.exit(0) })
console.log('ready')
setTimeout(() => {}, 60_000)
`

describe('signals have one owner', () => {
  it('one SIGINT to the caller’s process group reaches the payload exactly once', async () => {
    // `testcell run` in a process group of its own, as a shell runs a job: Ctrl-C signals the whole group.
    const cli = spawn(process.execPath, [CLI, 'run', '--', process.execPath, '-e', COUNTER], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    cli.stdout.on('data', (d: Buffer) => (out += d))
    await waitFor(() => out.includes('ready'))
    process.kill(-cli.pid!, 'SIGINT')
    await new Promise((r) => setTimeout(r, 500))
    process.kill(cli.pid!, 'SIGUSR2')
    const code = await new Promise((resolve) => cli.on('close', resolve))
    expect(out).toContain('{"SIGINT":1}')
    expect(code).toBe(0)
  })

  it('kill() is a request over the control socket: the payload gets the signal once, from init', async () => {
    const container = startContainer({ command: [process.execPath, '-e', COUNTER] })
    let out = ''
    container.process.stdout!.on('data', (d: Buffer) => (out += d))
    await waitFor(() => out.includes('ready'))
    container.kill('SIGTERM')
    container.kill('SIGHUP')
    await new Promise((r) => setTimeout(r, 300))
    container.kill('SIGUSR2')
    expect((await container.result).exitCode).toBe(0)
    expect(JSON.parse(out.split('\n')[1]!)).toEqual({ SIGTERM: 1, SIGHUP: 1 })
  })

  it('signals sent to the launcher itself are not passed on (only the parent’s requests are)', async () => {
    const container = startContainer({ command: [process.execPath, '-e', COUNTER] })
    let out = ''
    container.process.stdout!.on('data', (d: Buffer) => (out += d))
    await waitFor(() => out.includes('ready'))
    for (const signal of ['SIGINT', 'SIGHUP', 'SIGTERM'] as const) process.kill(container.process.pid!, signal)
    await new Promise((r) => setTimeout(r, 300))
    container.kill('SIGUSR2')
    expect((await container.result).exitCode).toBe(0)
    expect(JSON.parse(out.split('\n')[1]!)).toEqual({})
  })

  it('the payload runs in a session of its own, apart from the caller’s', async () => {
    const container = startContainer({ command: ['sh', '-c', 'cut -d" " -f6 /proc/self/stat; cut -d" " -f5 /proc/self/stat'] })
    let out = ''
    container.process.stdout!.on('data', (d: Buffer) => (out += d))
    await container.result
    const [session, group] = out.trim().split('\n').map(Number)
    expect(session).toBe(1) // init's session; the caller's is not visible at all in the pid namespace
    expect(group).not.toBe(1) // its own process group: a kill(0) inside does not reach init
  })
})
