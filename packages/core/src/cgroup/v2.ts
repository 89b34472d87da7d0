import { join } from 'node:path'
import type { PlanOp } from '../launcher/plan.js'
import { CgroupCounters } from './counters.js'
import { readOptional, removeCgroupDir, writeControl } from './files.js'
import { memoryFiles, openPeakTracker, type PeakTracker } from './peak.js'
import { MemorySampler, type SamplerOptions } from './sampler.js'
import type { CgroupDriver, CgroupLimits, CgroupUsage, ContainerCgroup } from './types.js'

/** cgroup v2: one directory under a parent whose subtree has the memory and pids controllers enabled. */
export class CgroupV2Driver implements CgroupDriver {
  readonly version = 2 as const
  readonly parents: readonly string[]

  constructor(readonly parent: string) {
    this.parents = [parent]
  }

  /** The container's cgroup, as plan steps: the launcher creates it, sets its limits, is born in it and removes it. */
  create(name: string, limits: CgroupLimits): ContainerCgroup {
    const dir = join(this.parent, name)
    const steps: PlanOp[] = [{ op: 'cgroup-create', dir }]
    if (limits.memoryBytes !== null) {
      steps.push({ op: 'cgroup-write', file: join(dir, 'memory.max'), value: String(limits.memoryBytes) })
      steps.push({ op: 'cgroup-write', file: join(dir, 'memory.swap.max'), value: '0', ifExists: true })
    }
    // One OOM kill takes the whole container down, so no half-dead worker lingers.
    steps.push({ op: 'cgroup-write', file: join(dir, 'memory.oom.group'), value: '1', ifExists: true })
    if (limits.pidsLimit !== null) steps.push({ op: 'cgroup-write', file: join(dir, 'pids.max'), value: String(limits.pidsLimit) })
    return new CgroupV2(dir, steps)
  }
}

const V2_COUNTERS = { oomFile: 'memory.events', peakFile: 'memory.peak', anon: ['anon'], file: ['file'], shmem: ['shmem'] }

class CgroupV2 implements ContainerCgroup {
  readonly version = 2 as const
  readonly planSteps: PlanOp[]
  readonly dirs: readonly string[]
  private readonly counters: CgroupCounters

  constructor(
    private readonly dir: string,
    setup: readonly PlanOp[],
  ) {
    this.dirs = [dir]
    this.counters = new CgroupCounters(dir, V2_COUNTERS)
    this.planSteps = [...setup, { op: 'cgroup-v2', dir }, ...this.counters.planSteps]
  }

  readUsage(): CgroupUsage {
    return this.counters.read()
  }

  usageFrom(files: Readonly<Record<string, string>>): CgroupUsage {
    return this.counters.fromReport(files)
  }

  setLimits({ memoryBytes, pidsLimit }: CgroupLimits): void {
    writeControl(join(this.dir, 'memory.max'), memoryBytes === null ? 'max' : String(memoryBytes))
    if (memoryBytes !== null && readOptional(join(this.dir, 'memory.swap.max')) !== null) writeControl(join(this.dir, 'memory.swap.max'), '0')
    const pids = join(this.dir, 'pids.max')
    if (pidsLimit !== null || readOptional(pids) !== null) writeControl(pids, pidsLimit === null ? 'max' : String(pidsLimit))
  }

  async remove(): Promise<void> {
    await removeCgroupDir(this.dir)
  }

  peakTracker(): PeakTracker {
    return openPeakTracker(2, this.dir)
  }

  memorySampler(options?: SamplerOptions): MemorySampler {
    return new MemorySampler(memoryFiles(2, this.dir).current, options)
  }
}
