import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cgroupName } from '../../packages/core/src/cgroup/names.js'
import type { ContainerCgroup } from '../../packages/core/src/cgroup/types.js'
import { hostInfo } from '../../packages/core/src/host/host-info.js'
import { isRoot } from './helpers.js'

const MiB = 1024 * 1024
const driver = isRoot ? hostInfo().cgroups.driver : null

/**
 * Per-test peaks on a real cgroup: a shell moved into a fresh container cgroup writes files to a tmpfs
 * (shmem is charged to the writer's cgroup and uncharged when the file is removed), so the usage rises and
 * falls exactly as the test says, and the tracker must see each window's own peak.
 */
describe.runIf(driver)('peak tracker and sampler on this host’s cgroup (root)', () => {
  let cgroup: ContainerCgroup
  let shell: ChildProcessWithoutNullStreams
  let output = ''
  const shm = mkdtempSync('/dev/shm/testcell-peak-')

  beforeAll(() => {
    cgroup = driver!.create(cgroupName(), { memoryBytes: 512 * MiB, pidsLimit: null })
    // The launcher creates a container's cgroup from these steps; here the test does, for a plain shell.
    for (const step of cgroup.planSteps) {
      if (step.op === 'cgroup-create') mkdirSync(step.dir)
      if (step.op === 'cgroup-write' && (!step.ifExists || existsSync(step.file))) writeFileSync(step.file, step.value)
    }
    shell = spawn('/bin/sh', ['-c', 'while read -r line; do eval "$line"; echo done; done'])
    shell.stdout.on('data', (d: Buffer) => (output += d))
    writeFileSync(join(cgroup.dirs[0]!, driver!.version === 1 ? 'tasks' : 'cgroup.procs'), String(shell.pid))
  })

  afterAll(async () => {
    shell?.kill('SIGKILL')
    await new Promise((r) => shell?.once('close', r))
    rmSync(shm, { recursive: true, force: true })
    await cgroup?.remove()
  })

  async function inCgroup(command: string): Promise<void> {
    const before = output.length
    shell.stdin.write(`${command}\n`)
    while (!output.slice(before).includes('done\n')) await new Promise((r) => setTimeout(r, 5))
  }
  const hold = (name: string, mib: number) => inCgroup(`head -c ${mib * MiB} /dev/zero > ${shm}/${name}`)
  const drop = (name: string) => inCgroup(`rm -f ${shm}/${name}`)

  it('reads each window’s own peak after a reset, and keeps the highest across windows', async () => {
    using tracker = cgroup.peakTracker()
    await hold('a', 40)
    await drop('a')
    expect(tracker.read()).toBeGreaterThanOrEqual(40 * MiB) // before any reset: the cgroup's peak
    expect(tracker.mode).toBe(driver!.version === 1 ? 'v1-max-usage' : expect.stringMatching(/^v2-/))

    tracker.reset()
    await hold('b', 10)
    await drop('b')
    const second = tracker.read()!
    expect(second).toBeGreaterThanOrEqual(10 * MiB)
    expect(second).toBeLessThan(30 * MiB)

    tracker.reset()
    expect(tracker.read()).toBeLessThan(8 * MiB)
    expect(tracker.highest).toBeGreaterThanOrEqual(40 * MiB)
  })

  it('the sampler reads the usage now, through one open descriptor', async () => {
    using sampler = cgroup.memorySampler({ intervalMs: 1000 })
    await hold('c', 24)
    const held = sampler.sample()!
    await drop('c')
    const dropped = sampler.sample()!
    expect(held).toBeGreaterThanOrEqual(24 * MiB)
    expect(dropped).toBeLessThan(held - 20 * MiB)
    expect(sampler.samples().values).toEqual([held, dropped])
  })
})
