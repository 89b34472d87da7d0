import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { CgroupError } from '../errors.js'
import { controllerList, liveCgroupFs, ownCgroupPath } from './cgroup-fs.js'
import { notDelegated } from './parent.js'
import { sleepSync } from './sleep-sync.js'

export interface ScopeRequest {
  manager: 'user' | 'system'
  busAddress: string
  /** Where cgroup2 is mounted. */
  mount: string
}

/** The arguments of `busctl` that ask systemd for a transient scope holding `pid`, delegated to its owner. */
export function startScopeArgs(manager: 'user' | 'system', unit: string, pid: number): string[] {
  return [
    manager === 'user' ? '--user' : '--system',
    '--quiet',
    'call',
    'org.freedesktop.systemd1',
    '/org/freedesktop/systemd1',
    'org.freedesktop.systemd1.Manager',
    'StartTransientUnit',
    'ssa(sv)a(sa(sv))',
    unit,
    'fail',
    '4',
    'PIDs',
    'au',
    '1',
    String(pid),
    'Delegate',
    'b',
    'true',
    'CollectMode',
    's',
    'inactive-or-failed',
    'Description',
    's',
    `testcell containers of pid ${pid}`,
    '0',
  ]
}

/**
 * Moves this process into a new transient scope with Delegate=yes (what `systemd-run --scope -p Delegate=yes`
 * does for a new command), over D-Bus with `busctl`, and returns the scope's cgroup directory. systemd removes
 * the scope once its last process has gone.
 */
export function startDelegatedScope(request: ScopeRequest): string {
  const unit = `testcell-${process.pid}-${randomBytes(3).toString('hex')}.scope`
  const env = { ...process.env }
  if (request.manager === 'user') env.DBUS_SESSION_BUS_ADDRESS = request.busAddress
  else env.DBUS_SYSTEM_BUS_ADDRESS = request.busAddress
  const call = spawnSync('busctl', startScopeArgs(request.manager, unit, process.pid), { encoding: 'utf8', env, timeout: 30_000 })
  const who = request.manager === 'user' ? "the user's systemd manager" : 'systemd'
  if (call.error) {
    const missing = (call.error as NodeJS.ErrnoException).code === 'ENOENT'
    throw new CgroupError(`cannot ask ${who} for a delegated cgroup: ${missing ? 'busctl (part of systemd) is not installed' : call.error.message}`, {
      cause: call.error,
    })
  }
  if (call.status !== 0) {
    throw new CgroupError(
      `${who} refused a delegated scope (busctl StartTransientUnit on ${request.busAddress}): ${call.stderr.trim() || `exit ${call.status}`}`,
    )
  }
  const path = waitForCgroup(unit)
  const dir = join(request.mount, path)
  const controllers = controllerList(liveCgroupFs, join(dir, 'cgroup.controllers'))
  const missing = ['memory', 'pids'].filter((c) => !controllers.includes(c))
  if (missing.length > 0) {
    const uid = process.getuid?.() ?? -1
    const issue = notDelegated(process.env.USER ?? String(uid), uid, controllers, missing)
    throw new CgroupError(`${issue.message}: ${issue.fix}`)
  }
  return dir
}

/** systemd starts the scope's job after answering; the move shows up in /proc/self/cgroup shortly after. */
function waitForCgroup(unit: string): string {
  for (let waited = 0; waited < 10_000; waited += 5) {
    const path = ownCgroupPath()
    if (path.endsWith(`/${unit}`)) return path
    sleepSync(5)
  }
  throw new CgroupError(`systemd accepted the scope ${unit} but did not move this process into it within 10 s`)
}
