import { accessSync, constants, lstatSync, readdirSync, readlinkSync } from 'node:fs'

export type EntryKind = 'dir' | 'symlink' | 'file' | 'other' | 'missing'

/** The few questions the root planner asks of the host's filesystem; injectable for unit tests. */
export interface HostTree {
  kind(path: string): EntryKind
  list(dir: string): string[]
  readlink(path: string): string
  mode(path: string): number
  /** Can the current user list and enter this directory? */
  accessible(dir: string): boolean
}

export const liveHostTree: HostTree = {
  kind(path) {
    try {
      const stat = lstatSync(path)
      if (stat.isDirectory()) return 'dir'
      if (stat.isSymbolicLink()) return 'symlink'
      if (stat.isFile()) return 'file'
      return 'other'
    } catch {
      return 'missing'
    }
  },
  list: (dir) => readdirSync(dir).sort(),
  readlink: (path) => readlinkSync(path),
  mode: (path) => lstatSync(path).mode & 0o7777,
  accessible(dir) {
    try {
      accessSync(dir, constants.R_OK | constants.X_OK)
      return true
    } catch {
      return false
    }
  },
}
