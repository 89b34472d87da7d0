import { accessSync, constants, existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** Read-only questions about the cgroup filesystem; detection asks only these, so tests can answer them. */
export interface CgroupFs {
  read(path: string): string | null
  /** The caller may create children in (and write the control files of) this directory. */
  writable(dir: string): boolean
  exists(path: string): boolean
  /** This process's cgroup v2 path ("0::/path" in /proc/self/cgroup). */
  ownCgroup(): string
}

export const liveCgroupFs: CgroupFs = {
  read(path) {
    try {
      return readFileSync(path, 'utf8')
    } catch {
      return null
    }
  },
  writable(dir) {
    try {
      accessSync(dir, constants.W_OK | constants.X_OK)
      accessSync(join(dir, 'cgroup.procs'), constants.W_OK)
      return true
    } catch {
      return false
    }
  },
  exists: existsSync,
  ownCgroup: ownCgroupPath,
}

/** This process's cgroup v2 path, read now (it changes when testcell moves itself). */
export function ownCgroupPath(): string {
  const text = liveCgroupFs.read('/proc/self/cgroup') ?? ''
  const line = text.split('\n').find((l) => l.startsWith('0::'))
  return line?.slice(3) || '/'
}

/** The controllers listed in a cgroup's `cgroup.controllers` or `cgroup.subtree_control`. */
export function controllerList(fs: CgroupFs, file: string): string[] {
  return (fs.read(file) ?? '').trim().split(/\s+/).filter(Boolean)
}
