import type { PlanOp } from '../launcher/plan.js'
import type { PeakTracker } from './peak.js'
import type { MemorySampler, SamplerOptions } from './sampler.js'

export interface CgroupLimits {
  memoryBytes: number | null
  pidsLimit: number | null
}

export interface MemoryStat {
  anon: number
  file: number
  shmem: number
}

export interface CgroupUsage {
  /** How many processes of the cgroup the kernel's OOM killer killed, for any reason (`oom_kill`). */
  oomKillCount: number
  /**
   * cgroup v2: how often the cgroup's own limit left an allocation failing (`oom` in memory.events), which a
   * global or an enclosing cgroup's OOM does not count. Null on v1, which has no such counter.
   */
  limitOomCount: number | null
  peakMemoryBytes: number | null
  memoryStat: MemoryStat | null
}

/** One container's cgroup: the launcher creates it from `planSteps`; this object reads and removes it. */
export interface ContainerCgroup {
  readonly version: 1 | 2
  /** Plan steps that create this cgroup with its limits, put the container's init into it and report its counters; the launcher removes it afterwards. */
  readonly planSteps: PlanOp[]
  /** Directories of this cgroup (one per v1 hierarchy, one on v2). */
  readonly dirs: readonly string[]
  /** Counters read now from the cgroup. */
  readUsage(): CgroupUsage
  /** Counters from file contents the launcher reported (`report-file`), keyed by path. */
  usageFrom(files: Readonly<Record<string, string>>): CgroupUsage
  /**
   * Changes the limits of the running container (a prewarmed container handed to its test file). Throws a
   * CgroupError when this cgroup cannot take them (on v1, a pids limit for a container made without one).
   */
  setLimits(limits: CgroupLimits): void
  /** Removes the cgroup; idempotent, safe after the launcher already removed it. */
  remove(): Promise<void>
  /** Reads and resets the peak in windows (per test); opens its file lazily, so it may be made before the cgroup. */
  peakTracker(): PeakTracker
  /** Samples the current usage over time (not started). */
  memorySampler(options?: SamplerOptions): MemorySampler
}

export interface CgroupDriver {
  readonly version: 1 | 2
  /** Where container cgroups are created, one per controller hierarchy. */
  readonly parents: readonly string[]
  create(name: string, limits: CgroupLimits): ContainerCgroup
}
