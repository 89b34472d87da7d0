import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { CgroupError } from '../errors.js'
import { controllerList, liveCgroupFs } from './cgroup-fs.js'
import { sleepSync } from './sleep-sync.js'

/** The leaf a nested cgroup's own processes live in (systemd's name for it in delegated units). */
export const SUPERVISOR_LEAF = 'supervisor'

const CONTROLLERS = ['memory', 'pids']

/**
 * The nesting step, in a cgroup testcell may subdivide (its delegated scope, or a container's cgroup
 * namespace root): cgroup v2 lets a cgroup hand controllers to children only while it holds no processes,
 * so its processes move into `supervisor/` first, then memory and pids are enabled for children. Only the
 * controllers that are missing are written; nothing above `dir` is touched.
 */
export function nest(dir: string): void {
  const leaf = join(dir, SUPERVISOR_LEAF)
  try {
    mkdirSync(leaf)
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'EEXIST') throw nestingError(`cannot create ${leaf}`, cause)
  }
  const available = controllerList(liveCgroupFs, join(dir, 'cgroup.controllers'))
  const missing = () => CONTROLLERS.filter((c) => available.includes(c) && !controllerList(liveCgroupFs, join(dir, 'cgroup.subtree_control')).includes(c))
  for (let attempt = 0; ; attempt++) {
    moveProcesses(dir, leaf)
    const wanted = missing()
    if (wanted.length === 0) return
    try {
      writeFileSync(join(dir, 'cgroup.subtree_control'), wanted.map((c) => `+${c}`).join(' '))
      return
    } catch (cause) {
      // EBUSY: a process was forked into `dir` after the move (or is still being moved); move it and retry.
      if ((cause as NodeJS.ErrnoException).code !== 'EBUSY' || attempt >= 50) {
        const left = liveCgroupFs.read(join(dir, 'cgroup.procs'))?.trim().split('\n').filter(Boolean) ?? []
        const detail = left.length > 0 ? ` (processes testcell cannot move are still in it: ${left.join(' ')})` : ''
        throw nestingError(`cannot enable ${wanted.join(' and ')} for the children of ${dir}${detail}`, cause)
      }
      sleepSync(10)
    }
  }
}

function moveProcesses(from: string, to: string): void {
  for (let round = 0; round < 10; round++) {
    const pids = (liveCgroupFs.read(join(from, 'cgroup.procs')) ?? '').split('\n').filter(Boolean)
    if (pids.length === 0) return
    for (const pid of pids) {
      try {
        writeFileSync(join(to, 'cgroup.procs'), pid)
      } catch (cause) {
        if ((cause as NodeJS.ErrnoException).code === 'ESRCH') continue // exited meanwhile
        if (pid === String(process.pid)) throw nestingError(`cannot move this process into ${to}`, cause)
        // Another user's process: the enable step below reports what is left.
      }
    }
  }
}

function nestingError(what: string, cause: unknown): CgroupError {
  const code = (cause as NodeJS.ErrnoException).code
  const why =
    code === 'EROFS'
      ? ': the cgroup filesystem is read-only (a container started without --privileged)'
      : code === 'EACCES' || code === 'EPERM'
        ? ': this cgroup is not delegated to this user'
        : `: ${(cause as Error).message}`
  return new CgroupError(`${what}${why}`, { cause })
}
