import type { ContainerResult } from '../container/result.js'
import type { EndFacts } from './classify.js'

/** Counters a caller may know beyond a ContainerResult (from memory.events / memory.oom_control). */
export type ExtraFacts = Partial<Omit<EndFacts, 'exitCode' | 'signal' | 'limitBytes'>>

/**
 * The facts of a ContainerResult. Its raw OOM counters (`oomKillCount`, and on v2 `limitOomCount`) let the
 * verdict tell the budget from the machine exactly; without them (a result made elsewhere) `oomKilled` and
 * the peak decide. `extra` overrides (e.g. a peak kept across per-test resets, the stderr tail).
 */
export function factsFromResult(result: ContainerResult, extra: ExtraFacts = {}): EndFacts {
  return {
    exitCode: result.exitCode,
    signal: result.signal,
    limitBytes: result.memoryLimitBytes,
    peakBytes: result.peakMemoryBytes,
    oomKills: result.oomKillCount ?? null,
    limitOoms: result.limitOomCount ?? null,
    oomKilled: result.oomKilled,
    ...extra,
  }
}
