import { type HeapLimit, isHeapOutOfMemory } from './heap.js'

const MiB = 1024 * 1024

/** What is known about a container that ended before its work was done. */
export interface EndFacts {
  exitCode: number | null
  signal: NodeJS.Signals | null
  /** The memory budget, null for none. */
  limitBytes: number | null
  /** The cgroup's peak, null when not measured. */
  peakBytes: number | null
  /**
   * Processes of the cgroup the kernel's OOM killer killed, for any reason: `oom_kill` in memory.events (v2)
   * or memory.oom_control (v1). Null when unknown; then `oomKilled` is used.
   */
  oomKills: number | null
  /**
   * cgroup v2 only: `oom` in memory.events, counted when the cgroup's *own* limit left an allocation failing
   * (a global or parent OOM does not count here). Null on v1 or when unknown.
   */
  limitOoms: number | null
  /** The container's own verdict when the counters are unknown: an OOM kill was counted and a budget was set. */
  oomKilled?: boolean
  /** The end of the worker's stderr (a few KiB are enough). */
  stderrTail?: string
  /** The V8 heap limit in force, when known. */
  heapLimit?: HeapLimit | null
  /** The runner asked the worker to stop (teardown, timeout, cancel): its end is not a crash. */
  stoppedByRunner?: boolean
}

export type Verdict =
  | { kind: 'budget'; limitBytes: number; peakBytes: number | null }
  | { kind: 'host-oom'; limitBytes: number | null; peakBytes: number | null }
  | { kind: 'v8-heap'; heapLimit: HeapLimit | null; limitBytes: number | null; peakBytes: number | null }
  | { kind: 'signal'; signal: NodeJS.Signals }
  | { kind: 'exit'; exitCode: number | null }
  | { kind: 'stopped' }

/**
 * Why a container ended, from facts only:
 * 1. An OOM kill was counted and the payload died of SIGKILL: a memory kill. It is the budget's when the
 *    cgroup's own limit ran out, else the machine's (host OOM: the global OOM killer, or an enclosing cgroup
 *    such as a CI job's, picked a process of this file). v2 tells the two apart exactly (`oom` counts only
 *    the cgroup's own limit); v1 has no such counter, so there the peak decides: a cgroup whose limit ran out
 *    has its watermark within one charge of the limit, so a peak within `limitSlack` of the limit is the
 *    budget's, a peak clearly below it is the machine's. Without a budget it can only be the machine's.
 * 2. Stopped by the runner: not a crash.
 * 3. Node's "JavaScript heap out of memory" on stderr: V8's own heap limit, whatever the signal.
 * 4. Any other signal (SIGKILL included: never a memory kill without a counted OOM kill), or the exit code.
 */
export function classifyEnd(facts: EndFacts): Verdict {
  const { limitBytes, peakBytes } = facts
  const oomKilled = facts.oomKills !== null ? facts.oomKills > 0 : facts.oomKilled === true
  if (oomKilled && facts.signal === 'SIGKILL') {
    if (limitBytes === null) return { kind: 'host-oom', limitBytes, peakBytes }
    return ownLimitRanOut(facts, limitBytes) ? { kind: 'budget', limitBytes, peakBytes } : { kind: 'host-oom', limitBytes, peakBytes }
  }
  if (facts.stoppedByRunner) return { kind: 'stopped' }
  if (isHeapOutOfMemory(facts.stderrTail ?? '')) return { kind: 'v8-heap', heapLimit: facts.heapLimit ?? null, limitBytes, peakBytes }
  if (facts.signal) return { kind: 'signal', signal: facts.signal }
  return { kind: 'exit', exitCode: facts.exitCode }
}

function ownLimitRanOut(facts: EndFacts, limitBytes: number): boolean {
  if (facts.limitOoms !== null) return facts.limitOoms > 0
  // Without a peak, keep the counted OOM kill under a budget as the budget's (what it nearly always is).
  return facts.peakBytes === null || facts.peakBytes >= limitBytes - limitSlack(limitBytes)
}

/**
 * How far below its limit a v1 cgroup's watermark may stay when the limit ran out: the last charge that
 * succeeded (up to a 2 MiB huge page) plus what reclaim freed meanwhile. 2% of the limit, at least 4 MiB.
 */
export function limitSlack(limitBytes: number): number {
  return Math.max(4 * MiB, Math.round(limitBytes * 0.02))
}

/** Whether a verdict means the file crashed (everything but a stop the runner asked for). */
export function isCrash(verdict: Verdict): boolean {
  return verdict.kind !== 'stopped'
}
