import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { hostInfo } from '../host/host-info.js'
import { processExists } from '../host/processes.js'
import { readOptional, removeCgroupDir, writeControl } from './files.js'
import { cgroupOwner } from './names.js'

export interface GarbageReport {
  removed: string[]
  kept: string[]
  failed: { dir: string; reason: string }[]
}

/** Removes testcell cgroups whose owning process is dead (the owner pid is part of the name). */
export async function collectGarbage(parents: readonly string[] = hostInfo().cgroups.driver?.parents ?? []): Promise<GarbageReport> {
  const report: GarbageReport = { removed: [], kept: [], failed: [] }
  for (const parent of parents) {
    const names = listDirs(parent).filter((name) => cgroupOwner(name) !== null)
    const stale = new Set(staleCgroupNames(names, processExists))
    for (const name of names) {
      const dir = join(parent, name)
      const procs = stale.has(name) ? (readOptional(join(dir, 'cgroup.procs')) ?? '') : ''
      if (!stale.has(name) || hasForeignMembers(procs)) {
        report.kept.push(dir)
        continue
      }
      try {
        killAll(dir, procs)
        await removeCgroupDir(dir)
        report.removed.push(dir)
      } catch (error) {
        report.failed.push({ dir, reason: (error as Error).message })
      }
    }
  }
  return report
}

let collectedAtStart = false

/**
 * The backstop for cgroups that a killed run left behind: once per process, when its first container starts,
 * the cgroups of dead owners are removed in the background. With none stale it costs one readdir per parent.
 */
export function collectGarbageOnce(parents: readonly string[]): void {
  if (collectedAtStart) return
  collectedAtStart = true
  collectGarbage(parents).catch(() => {})
}

/** Which of a parent's entries are testcell cgroups of dead owners; a name testcell did not make never is. */
export function staleCgroupNames(names: readonly string[], isAlive: (pid: number) => boolean): string[] {
  return names.filter((name) => {
    const owner = cgroupOwner(name)
    return owner !== null && owner !== process.pid && !isAlive(owner)
  })
}

/**
 * True when `cgroup.procs` lists processes this pid namespace cannot see (the kernel shows them as 0): the
 * cgroup belongs to a testcell in another pid namespace sharing this cgroup tree, whose owner only looks dead.
 */
export function hasForeignMembers(procs: string): boolean {
  return /^0$/m.test(procs)
}

function listDirs(parent: string): string[] {
  try {
    return readdirSync(parent, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
  } catch {
    return []
  }
}

/** Kills what is left in a stale cgroup (v2 `cgroup.kill`, else every pid in `cgroup.procs`). */
function killAll(dir: string, procs: string): void {
  if (existsSync(join(dir, 'cgroup.kill'))) {
    writeControl(join(dir, 'cgroup.kill'), '1')
    return
  }
  for (const pid of procs.split('\n').filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGKILL')
    } catch {
      // already gone
    }
  }
}
