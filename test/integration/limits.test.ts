import { startContainer, UnsupportedHostError } from '@testcell/core'
import { describe, expect, it } from 'vitest'
import { canCapMemory, cgroupsOf, cli, runIn, sh } from './helpers.js'

const LEAK = 'const a = []; for (;;) a.push(Buffer.alloc(1 << 20, 1))'
const MiB = 1024 * 1024

describe.runIf(canCapMemory())('memory and pids limits', () => {
  it('a leaking node is killed by its memory cap and reported as such, with its peak', async () => {
    const { result } = await runIn([process.execPath, '-e', LEAK], { memory: '64MiB' })
    expect(result).toMatchObject({ signal: 'SIGKILL', oomKilled: true, memoryLimitBytes: 64 * MiB })
    expect(result.peakMemoryBytes).toBeGreaterThan(48 * MiB)
    expect(result.peakMemoryBytes).toBeLessThanOrEqual(64 * MiB)
    expect(result.memoryStat).not.toBeNull()
    expect(cgroupsOf(process.pid)).toEqual([])
  })

  it('limits given to a running container (a prewarmed one handed to its file) are enforced and reported', async () => {
    // Waits for a line on stdin before it leaks: the limit is set while it waits.
    const script = `process.stdin.once('data', () => { ${LEAK} })`
    const container = startContainer({ command: [process.execPath, '-e', script], ...(canCapMemory() ? { memory: '512MiB' } : {}) })
    await container.started
    container.setLimits({ memoryBytes: 64 * MiB, pidsLimit: null })
    container.process.stdin!.end('go\n')
    const result = await container.result
    expect(result).toMatchObject({ signal: 'SIGKILL', oomKilled: true, memoryLimitBytes: 64 * MiB })
    expect(result.peakMemoryBytes).toBeLessThanOrEqual(64 * MiB)
  })

  it('the CLI says which limit was exceeded and the peak, and exits 137', async () => {
    const { code, stderr } = await cli(['run', '--memory', '64MiB', '--', process.execPath, '-e', LEAK])
    expect(code).toBe(137)
    expect(stderr).toMatch(/^testcell: killed: memory limit 64 MiB exceeded \(peak \d+\.\d MiB\)$/m)
  })

  it('a SIGKILL from elsewhere exits 137 without a memory message', async () => {
    const { code, stderr } = await cli(['run', '--memory', '64MiB', '--', 'sh', '-c', 'kill -9 $$'])
    expect(code).toBe(137)
    expect(stderr).not.toMatch(/memory/)
  })

  it('counts memory that is not the heap: tmpfs files and child processes', async () => {
    const { result } = await sh('head -c 40000000 /dev/zero > /dev/shm/blob; sleep 0.1', { memory: '256MiB' })
    expect(result.exitCode).toBe(0)
    expect(result.peakMemoryBytes).toBeGreaterThan(38 * MiB)
  })

  it('a pids limit stops a fork bomb', async () => {
    const { stdout, stderr, result } = await sh('i=0; while [ $i -lt 200 ]; do sleep 5 & i=$((i+1)); done 2>/dev/null; echo started; kill -9 -1', {
      pidsLimit: 16,
    })
    expect(stdout + stderr).not.toMatch(/started/)
    expect(result.exitCode).not.toBe(0)
  })
})

describe.runIf(!canCapMemory())('without a usable cgroup', () => {
  it('refuses to run with a memory cap instead of running uncapped, and says why', () => {
    expect(() => startContainer({ command: ['true'], memory: '64MiB' })).toThrow(UnsupportedHostError)
    expect(() => startContainer({ command: ['true'], memory: '64MiB' })).toThrow(/memory limit was asked for.*\n.*(delegat|v1)/)
  })

  it('the CLI exits 125 with the reason', async () => {
    const { code, stderr } = await cli(['run', '--memory', '64MiB', '--', 'true'])
    expect(code).toBe(125)
    expect(stderr).toMatch(/memory limit was asked for/)
  })
})
