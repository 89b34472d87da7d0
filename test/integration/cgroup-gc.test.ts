import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { removeCgroupDir } from '../../packages/core/src/cgroup/files.js'
import { hostInfo } from '../../packages/core/src/host/host-info.js'
import { cli, isRoot, isRunning, waitFor } from './helpers.js'

/**
 * A cgroup parent of this test's own, handed to the CLI as TESTCELL_CGROUP_PARENT: the stale cgroups made in
 * it are seen by no other testcell run (whose start would collect them too) and by no other developer's.
 */
function privateParent(): { dir: string; env: NodeJS.ProcessEnv; [Symbol.asyncDispose](): Promise<void> } {
  const dir = join(hostInfo().cgroups.driver!.parents[0]!, `testcell-it-gc-${process.pid}`)
  mkdirSync(dir)
  return {
    dir,
    env: { TESTCELL_CGROUP_PARENT: dir },
    async [Symbol.asyncDispose]() {
      for (const child of readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory())) await removeCgroupDir(join(dir, child.name))
      await removeCgroupDir(dir)
    },
  }
}

/** Pids above PID_MAX_LIMIT: no process can have one, unlike a pid that was just freed. */
let nextDead = 4_194_305 + (process.pid % 1000) * 10
const deadPid = () => nextDead++

/** A process moved into `cgroup`, as a container's would be if its launcher had been killed too. */
function processIn(cgroup: string): ChildProcess {
  const child = spawn('sleep', ['1000'], { stdio: 'ignore' })
  writeFileSync(join(cgroup, 'cgroup.procs'), String(child.pid))
  return child
}

describe.runIf(isRoot)('cgroups of dead owners', () => {
  it('testcell gc removes them, with what runs in them, and keeps live owners’ and foreign cgroups', async () => {
    await using parent = privateParent()
    const stale = join(parent.dir, `testcell-${deadPid()}-0badc0de`)
    const live = join(parent.dir, `testcell-${process.pid}-0badc0de`)
    const foreign = join(parent.dir, `testcell-${deadPid()}-not-ours`)
    for (const dir of [stale, live, foreign]) mkdirSync(dir)
    const left = processIn(stale)
    try {
      const { code, stdout } = await cli(['gc'], { env: parent.env })
      expect(stdout).toContain(`removed ${stale}`)
      expect(code).toBe(0)
      expect(existsSync(stale)).toBe(false)
      expect(existsSync(live)).toBe(true)
      expect(existsSync(foreign)).toBe(true)
      await waitFor(() => !isRunning(left.pid!))
    } finally {
      left.kill('SIGKILL')
    }
  })

  it('the first container a process starts removes them', async () => {
    await using parent = privateParent()
    const empty = join(parent.dir, `testcell-${deadPid()}-0badc0de`)
    const busy = join(parent.dir, `testcell-${deadPid()}-0badc0df`)
    const live = join(parent.dir, `testcell-${process.pid}-0badc0de`)
    const foreign = join(parent.dir, 'not-testcell')
    for (const dir of [empty, busy, live, foreign]) mkdirSync(dir)
    const left = processIn(busy)
    try {
      // A container that lives a moment: the removal of a busy cgroup waits for its processes to die.
      const { code, stderr } = await cli(['run', '--memory', '64MiB', '--', 'sleep', '0.5'], { env: parent.env })
      expect(stderr).toBe('')
      expect(code).toBe(0)
      expect(existsSync(empty)).toBe(false)
      expect(existsSync(busy)).toBe(false)
      expect(isRunning(left.pid!)).toBe(false)
      expect(existsSync(live)).toBe(true)
      expect(existsSync(foreign)).toBe(true)
    } finally {
      left.kill('SIGKILL')
    }
  })
})
