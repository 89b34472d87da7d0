import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { hostInfo } from '../host/host-info.js'
import { readOptional, removeCgroupDir, writeControl } from './files.js'
import { cgroupOwner } from './names.js'

export interface GarbageReport {
  removed: string[]
  kept: string[]
  failed: { dir: string; reason: string }[]
}

/** Removes testcell cgroups whose owning process is dead (the owner pid is part of the name). */
export async function collectGarbage(parents = hostInfo().cgroups.driver?.parents ?? []): Promise<GarbageReport> {
  const report: GarbageReport = { removed: [], kept: [], failed: [] }
  for (const parent of parents) {
    for (const name of listDirs(parent)) {
      const owner = cgroupOwner(name)
      if (owner === null) continue
      const dir = join(parent, name)
      if (isAlive(owner)) {
        report.kept.push(dir)
        continue
      }
      try {
        killAll(dir)
        await removeCgroupDir(dir)
        report.removed.push(dir)
      } catch (error) {
        report.failed.push({ dir, reason: (error as Error).message })
      }
    }
  }
  return report
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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Kills what is left in a stale cgroup (v2 `cgroup.kill`, else every pid in `cgroup.procs`). */
function killAll(dir: string): void {
  if (existsSync(join(dir, 'cgroup.kill'))) {
    writeControl(join(dir, 'cgroup.kill'), '1')
    return
  }
  for (const pid of (readOptional(join(dir, 'cgroup.procs')) ?? '').split('\n').filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGKILL')
    } catch {
      // already gone
    }
  }
}
