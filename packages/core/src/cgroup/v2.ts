import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { CgroupError } from '../errors.js'
import type { PlanOp } from '../launcher/plan.js'
import { CgroupCounters } from './counters.js'
import { removeCgroupDir, writeControl } from './files.js'
import type { CgroupDriver, CgroupLimits, CgroupUsage, ContainerCgroup } from './types.js'

/** cgroup v2: one directory under a parent whose subtree has the memory and pids controllers enabled. */
export class CgroupV2Driver implements CgroupDriver {
  readonly version = 2 as const
  readonly parents: readonly string[]

  constructor(readonly parent: string) {
    this.parents = [parent]
  }

  create(name: string, limits: CgroupLimits): ContainerCgroup {
    const dir = join(this.parent, name)
    try {
      mkdirSync(dir)
    } catch (cause) {
      throw new CgroupError(`cannot create cgroup ${dir}: ${(cause as Error).message}`, { cause })
    }
    try {
      if (limits.memoryBytes !== null) {
        writeControl(join(dir, 'memory.max'), String(limits.memoryBytes))
        const swap = join(dir, 'memory.swap.max')
        if (existsSync(swap)) writeControl(swap, '0')
      }
      // One OOM kill takes the whole container down, so no half-dead worker lingers.
      writeControl(join(dir, 'memory.oom.group'), '1')
      if (limits.pidsLimit !== null) writeControl(join(dir, 'pids.max'), String(limits.pidsLimit))
    } catch (cause) {
      void removeCgroupDir(dir).catch(() => {})
      throw cause
    }
    return new CgroupV2(dir)
  }
}

const V2_COUNTERS = { oomFile: 'memory.events', peakFile: 'memory.peak', anon: ['anon'], file: ['file'], shmem: ['shmem'] }

class CgroupV2 implements ContainerCgroup {
  readonly version = 2 as const
  readonly planSteps: PlanOp[]
  readonly dirs: readonly string[]
  private readonly counters: CgroupCounters

  constructor(private readonly dir: string) {
    this.dirs = [dir]
    this.counters = new CgroupCounters(dir, V2_COUNTERS)
    this.planSteps = [{ op: 'cgroup-v2', dir }, ...this.counters.planSteps, { op: 'cgroup-remove', dir }]
  }

  readUsage(): CgroupUsage {
    return this.counters.read()
  }

  usageFrom(files: Readonly<Record<string, string>>): CgroupUsage {
    return this.counters.fromReport(files)
  }

  async remove(): Promise<void> {
    await removeCgroupDir(this.dir)
  }
}
