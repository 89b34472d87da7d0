import { join } from 'node:path'
import type { PlanOp } from '../launcher/plan.js'
import { parseKeyed, readOptional } from './files.js'
import type { CgroupUsage } from './types.js'

/** Where one cgroup version keeps its counters, and the memory.stat keys of each breakdown field. */
export interface CounterNames {
  oomFile: string
  peakFile: string
  anon: readonly string[]
  file: readonly string[]
  shmem: readonly string[]
}

/** A cgroup's memory counters: read live, or from the contents the launcher reported after the exit. */
export class CgroupCounters {
  /** Plan steps asking the launcher to report the counter files with the exit record. */
  readonly planSteps: PlanOp[]

  constructor(
    private readonly dir: string,
    private readonly names: CounterNames,
  ) {
    this.planSteps = [names.oomFile, names.peakFile, 'memory.stat'].map((name): PlanOp => ({ op: 'report-file', path: join(dir, name) }))
  }

  read(): CgroupUsage {
    return this.usage((name) => readOptional(join(this.dir, name)))
  }

  fromReport(files: Readonly<Record<string, string>>): CgroupUsage {
    return this.usage((name) => files[join(this.dir, name)] ?? null)
  }

  private usage(read: (name: string) => string | null): CgroupUsage {
    const stat = parseKeyed(read('memory.stat') ?? '')
    const peak = read(this.names.peakFile)?.trim()
    const first = (keys: readonly string[]) => keys.map((k) => stat.get(k)).find((v) => v !== undefined) ?? 0
    const oom = parseKeyed(read(this.names.oomFile) ?? '')
    return {
      oomKillCount: oom.get('oom_kill') ?? 0,
      limitOomCount: oom.get('oom') ?? null,
      peakMemoryBytes: peak && /^\d+$/.test(peak) ? Number(peak) : null,
      memoryStat: stat.size === 0 ? null : { anon: first(this.names.anon), file: first(this.names.file), shmem: first(this.names.shmem) },
    }
  }
}
