import { constants } from 'node:os'
import type { MemoryStat } from '../cgroup/types.js'
import { formatAmount, formatLimit } from '../options/size.js'

/** How a container ended. */
export interface ContainerResult {
  /** The payload's exit code, or null when it was killed by a signal. */
  exitCode: number | null
  signal: NodeJS.Signals | null
  /** The kernel killed a process of this container because its own memory limit ran out (not the machine's memory). */
  oomKilled: boolean
  /** Processes of the container the kernel's OOM killer killed, for any reason (its budget or the machine's). */
  oomKillCount?: number
  /** cgroup v2: how often the container's own limit ran out (`oom` in memory.events); null on v1. */
  limitOomCount?: number | null
  /** Highest memory use of the container's cgroup (anon, page cache, tmpfs, children), if measured. */
  peakMemoryBytes: number | null
  memoryStat: MemoryStat | null
  memoryLimitBytes: number | null
  durationMs: number
}

export function signalName(signal: number): NodeJS.Signals | null {
  const entry = Object.entries(constants.signals).find(([, value]) => value === signal)
  return (entry?.[0] as NodeJS.Signals | undefined) ?? null
}

export function signalNumber(signal: NodeJS.Signals): number {
  return constants.signals[signal]
}

/** The exit status a shell would show: the code, or 128 + the signal number. */
export function shellStatus(result: ContainerResult): number {
  if (result.exitCode !== null) return result.exitCode
  return result.signal ? 128 + signalNumber(result.signal) : 1
}

/** True when the container ended because its memory limit was exceeded (not because of some other kill). */
export function killedByMemoryLimit(result: ContainerResult): boolean {
  return result.oomKilled && result.signal === 'SIGKILL' && result.memoryLimitBytes !== null
}

/** `killed: the machine ran out of memory …`: the kernel's OOM killer picked a process of the container, not its limit. */
export function describeHostOom(result: ContainerResult): string {
  const peak = result.peakMemoryBytes === null ? 'peak unknown' : `peak ${formatAmount(result.peakMemoryBytes)}`
  const limit = result.memoryLimitBytes === null ? 'no memory limit' : `memory limit ${formatLimit(result.memoryLimitBytes)}`
  return `killed: the machine ran out of memory and the kernel's OOM killer ended the command, not its memory limit (${peak}, ${limit})`
}

/** `killed: memory limit 64 MiB exceeded (peak 64.0 MiB)`, for a memory kill only. */
export function describeMemoryKill(result: ContainerResult): string {
  const peak = result.peakMemoryBytes === null ? 'peak unknown' : `peak ${formatAmount(result.peakMemoryBytes)}`
  return `killed: memory limit ${formatLimit(result.memoryLimitBytes ?? 0)} exceeded (${peak})`
}
