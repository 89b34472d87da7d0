import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { CgroupError } from '../errors.js'
import type { PlanOp } from '../launcher/plan.js'
import { CgroupCounters } from './counters.js'
import { removeCgroupDir, writeControl } from './files.js'
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

  create(name: string, limits: CgroupLimits): ContainerCgroup {
    if (limits.pidsLimit !== null && !this.pidsParent) {
      throw new CgroupError('a pids limit was asked for, but the cgroup v1 pids controller is not mounted')
    }
    const memory = join(this.memoryParent, name)
    // Every v1 hierarchy joined costs a task migration (a slow RCU-synchronised lock): pids only when asked.
    const pids = this.pidsParent && limits.pidsLimit !== null ? join(this.pidsParent, name) : null
    const dirs = pids ? [memory, pids] : [memory]
    const created: string[] = []
    try {
      for (const dir of dirs) {
        mkdirSync(dir)
        created.push(dir)
      }
      if (limits.memoryBytes !== null) {
        writeControl(join(memory, 'memory.limit_in_bytes'), String(limits.memoryBytes))
        // With swap accounting, memsw caps memory+swap: without it a leak would page out instead of dying.
        const memsw = join(memory, 'memory.memsw.limit_in_bytes')
        if (existsSync(memsw)) writeControl(memsw, String(limits.memoryBytes))
      }
      if (pids && limits.pidsLimit !== null) writeControl(join(pids, 'pids.max'), String(limits.pidsLimit))
    } catch (cause) {
      for (const dir of created.reverse()) void removeCgroupDir(dir).catch(() => {})
      throw cause instanceof CgroupError ? cause : new CgroupError(`cannot create cgroup ${name}: ${(cause as Error).message}`, { cause })
    }
    return new CgroupV1(dirs, memory)
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
  private readonly counters: CgroupCounters

  constructor(
    readonly dirs: readonly string[],
    memory: string,
  ) {
    this.counters = new CgroupCounters(memory, V1_COUNTERS)
    this.planSteps = [
      ...dirs.map((dir): PlanOp => ({ op: 'cgroup-join', tasksFile: join(dir, 'tasks') })),
      ...this.counters.planSteps,
      ...dirs.map((dir): PlanOp => ({ op: 'cgroup-remove', dir })),
    ]
  }

  readUsage(): CgroupUsage {
    return this.counters.read()
  }

  usageFrom(files: Readonly<Record<string, string>>): CgroupUsage {
    return this.counters.fromReport(files)
  }

  async remove(): Promise<void> {
    for (const dir of this.dirs) await removeCgroupDir(dir)
  }
}
