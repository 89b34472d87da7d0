import { join } from 'node:path'
import { CgroupError } from '../errors.js'
import type { PlanOp } from '../launcher/plan.js'
import { CgroupCounters } from './counters.js'
import { readOptional, removeCgroupDir, writeControl } from './files.js'
import { memoryFiles, openPeakTracker, type PeakTracker } from './peak.js'
import { MemorySampler, type SamplerOptions } from './sampler.js'
import type { CgroupDriver, CgroupLimits, CgroupUsage, ContainerCgroup } from './types.js'

/** cgroup v1: one directory in the memory hierarchy and, if mounted, one in the pids hierarchy. */
export class CgroupV1Driver implements CgroupDriver {
  readonly version = 1 as const
  readonly parents: readonly string[]

  constructor(
    readonly memoryParent: string,
    readonly pidsParent: string | null,
  ) {
    this.parents = pidsParent ? [memoryParent, pidsParent] : [memoryParent]
  }

  /** The container's cgroup, as plan steps: the launcher creates it, sets its limits, joins it and removes it. */
  create(name: string, limits: CgroupLimits): ContainerCgroup {
    if (limits.pidsLimit !== null && !this.pidsParent) {
      throw new CgroupError('a pids limit was asked for, but the cgroup v1 pids controller is not mounted')
    }
    const memory = join(this.memoryParent, name)
    // Every v1 hierarchy joined costs a task migration (a slow RCU-synchronised lock): pids only when asked.
    const pids = this.pidsParent && limits.pidsLimit !== null ? join(this.pidsParent, name) : null
    const steps: PlanOp[] = [{ op: 'cgroup-create', dir: memory }]
    if (pids) steps.push({ op: 'cgroup-create', dir: pids })
    if (limits.memoryBytes !== null) {
      steps.push({ op: 'cgroup-write', file: join(memory, 'memory.limit_in_bytes'), value: String(limits.memoryBytes) })
      // With swap accounting, memsw caps memory+swap: without it a leak would page out instead of dying.
      steps.push({ op: 'cgroup-write', file: join(memory, 'memory.memsw.limit_in_bytes'), value: String(limits.memoryBytes), ifExists: true })
    }
    if (pids && limits.pidsLimit !== null) steps.push({ op: 'cgroup-write', file: join(pids, 'pids.max'), value: String(limits.pidsLimit) })
    return new CgroupV1(memory, pids, steps)
  }
}

const V1_COUNTERS = {
  oomFile: 'memory.oom_control',
  peakFile: 'memory.max_usage_in_bytes',
  anon: ['total_rss', 'rss'],
  file: ['total_cache', 'cache'],
  shmem: ['total_shmem', 'shmem'],
}

class CgroupV1 implements ContainerCgroup {
  readonly version = 1 as const
  readonly planSteps: PlanOp[]
  readonly dirs: readonly string[]
  private readonly counters: CgroupCounters

  constructor(
    private readonly memory: string,
    private readonly pids: string | null,
    setup: readonly PlanOp[],
  ) {
    const dirs = pids ? [memory, pids] : [memory]
    this.dirs = dirs
    this.counters = new CgroupCounters(memory, V1_COUNTERS)
    this.planSteps = [...setup, ...dirs.map((dir): PlanOp => ({ op: 'cgroup-join', tasksFile: join(dir, 'tasks') })), ...this.counters.planSteps]
  }

  readUsage(): CgroupUsage {
    return this.counters.read()
  }

  usageFrom(files: Readonly<Record<string, string>>): CgroupUsage {
    return this.counters.fromReport(files)
  }

  setLimits({ memoryBytes, pidsLimit }: CgroupLimits): void {
    if (pidsLimit !== null && !this.pids) throw new CgroupError('this container was made without a pids cgroup, so it cannot take a pids limit')
    const limit = join(this.memory, 'memory.limit_in_bytes')
    const memsw = join(this.memory, 'memory.memsw.limit_in_bytes')
    const value = memoryBytes === null ? '-1' : String(memoryBytes)
    // memsw may never be below the memory limit: raise it first, or lower it last.
    const raising = memoryBytes === null || memoryBytes >= Number(readOptional(limit) ?? 0)
    const hasMemsw = readOptional(memsw) !== null
    if (raising && hasMemsw) writeControl(memsw, value)
    writeControl(limit, value)
    if (!raising && hasMemsw) writeControl(memsw, value)
    if (this.pids) writeControl(join(this.pids, 'pids.max'), pidsLimit === null ? 'max' : String(pidsLimit))
  }

  async remove(): Promise<void> {
    for (const dir of this.dirs) await removeCgroupDir(dir)
  }

  peakTracker(): PeakTracker {
    return openPeakTracker(1, this.memory)
  }

  memorySampler(options?: SamplerOptions): MemorySampler {
    return new MemorySampler(memoryFiles(1, this.memory).current, options)
  }
}
