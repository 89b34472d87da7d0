import { basename, dirname, join } from 'node:path'
import type { Privilege } from '../rootfs/host-root.js'
import { type CgroupFs, controllerList } from './cgroup-fs.js'
import { SUPERVISOR_LEAF } from './nesting.js'

/**
 * Where the containers' cgroups go on cgroup v2, decided without touching anything. The writes (asking
 * systemd for a scope, moving processes into a leaf, enabling controllers) happen only when the first
 * container's cgroup is created (`acquireParent`), and only in cgroups testcell owns.
 */
export type ParentPlan =
  /** TESTCELL_CGROUP_PARENT: a cgroup the user says is theirs. */
  | { kind: 'explicit'; dir: string }
  /** The hierarchy's root on a host without systemd, whose init already enabled memory (and pids) for children. */
  | { kind: 'root'; dir: string }
  /** A cgroup this process may own: its processes move into `supervisor/`, then it gets memory and pids for children. */
  | { kind: 'nest'; dir: string; why: 'cgroup-namespace' | 'delegated' | 'own-cgroup' | 'nested-already' }
  /** A transient scope with Delegate=yes from systemd (the user's manager rootless, PID 1 as root), then nested. */
  | { kind: 'systemd-scope'; manager: 'user' | 'system'; busAddress: string; mount: string }

export type CgroupIssueCause =
  | 'not-linux'
  | 'no-memory-controller'
  | 'cgroup-v1-rootless'
  | 'cgroup-readonly'
  | 'no-user-manager'
  | 'no-user-bus'
  | 'controllers-not-delegated'
  | 'root-controllers-not-enabled'
  | 'no-system-bus'
  | 'parent-not-usable'

/** Why memory and pids limits cannot be had here: what is missing, and the fix. */
export interface CgroupIssue {
  cause: CgroupIssueCause
  message: string
  fix: string
}

export interface ParentInput {
  privilege: Privilege
  uid: number
  /** Where cgroup2 is mounted. */
  mount: string
  /** The cgroup2 mount is read-only (a container without --privileged). */
  readOnly: boolean
  env: NodeJS.ProcessEnv
  fs: CgroupFs
}

const WANTED = ['memory', 'pids']

export function chooseParent(input: ParentInput): ParentPlan | CgroupIssue {
  const { mount, fs, env } = input
  if (env.TESTCELL_CGROUP_PARENT) return explicitParent(env.TESTCELL_CGROUP_PARENT, fs)
  const self = fs.ownCgroup()
  const own = self === '/' ? mount : join(mount, self)

  const parent = dirname(own)
  if (basename(own) === SUPERVISOR_LEAF && hasAll(fs, join(parent, 'cgroup.subtree_control')) && fs.writable(parent)) {
    return { kind: 'nest', dir: parent, why: 'nested-already' }
  }
  const namespaceRoot = self === '/' && fs.exists(join(mount, 'cgroup.type'))
  if (namespaceRoot || (input.privilege === 'root' && self !== '/' && !fs.exists('/run/systemd/system'))) {
    if (input.readOnly) return readOnlyIssue(mount)
    if (!fs.writable(own)) return notWritable(own)
    return { kind: 'nest', dir: own, why: namespaceRoot ? 'cgroup-namespace' : 'own-cgroup' }
  }
  if (input.readOnly) return readOnlyIssue(mount)
  return input.privilege === 'root' ? rootParent(input) : rootlessParent(input, own)
}

function explicitParent(dir: string, fs: CgroupFs): ParentPlan | CgroupIssue {
  if (fs.writable(dir)) return { kind: 'explicit', dir }
  return {
    cause: 'parent-not-usable',
    message: `TESTCELL_CGROUP_PARENT=${dir} is not a cgroup directory this user can write`,
    fix: `point TESTCELL_CGROUP_PARENT at a cgroup v2 directory delegated to this user, or unset it`,
  }
}

function rootParent(input: ParentInput): ParentPlan | CgroupIssue {
  const { mount, fs } = input
  if (fs.exists('/run/systemd/system')) {
    const socket = input.env.DBUS_SYSTEM_BUS_ADDRESS ?? 'unix:path=/run/dbus/system_bus_socket'
    if (socket.startsWith('unix:path=') && !fs.exists(socket.slice('unix:path='.length))) {
      return {
        cause: 'no-system-bus',
        message: `systemd runs this host, but its D-Bus system bus (${socket}) is missing, so testcell cannot ask it for a delegated scope`,
        fix: 'install and start dbus (apt-get install dbus), or set TESTCELL_CGROUP_PARENT to a cgroup v2 directory for testcell',
      }
    }
    return { kind: 'systemd-scope', manager: 'system', busAddress: socket, mount }
  }
  if (controllerList(fs, join(mount, 'cgroup.subtree_control')).includes('memory')) return { kind: 'root', dir: mount }
  return {
    cause: 'root-controllers-not-enabled',
    message: `the root cgroup ${mount} does not enable the memory controller for its children, and testcell never changes the root cgroup`,
    fix: `enable it at boot (the init system's job): echo +memory +pids > ${join(mount, 'cgroup.subtree_control')}`,
  }
}

function rootlessParent(input: ParentInput, own: string): ParentPlan | CgroupIssue {
  const { mount, fs, uid, env } = input
  // A cgroup someone delegated to this user (a Delegate= service): it is ours to subdivide, the one above is not.
  if (fs.writable(own) && !fs.writable(dirname(own)) && hasAll(fs, join(own, 'cgroup.controllers'))) {
    return { kind: 'nest', dir: own, why: 'delegated' }
  }
  const user = env.USER ?? env.LOGNAME ?? String(uid)
  const runtimeDir = env.XDG_RUNTIME_DIR || `/run/user/${uid}`
  const manager = join(mount, `user.slice/user-${uid}.slice/user@${uid}.service`)
  if (!fs.exists(manager) || !fs.exists(runtimeDir)) {
    return {
      cause: 'no-user-manager',
      message: `no systemd user manager runs for ${user} (user@${uid}.service): there is no login session and linger is off`,
      fix: `sudo loginctl enable-linger ${user} (or sudo testcell setup --user ${user})`,
    }
  }
  const bus = join(runtimeDir, 'bus')
  if (!fs.exists(bus)) {
    return {
      cause: 'no-user-bus',
      message: `the user manager of ${user} has no D-Bus socket at ${bus} ($XDG_RUNTIME_DIR/bus)`,
      fix: `install the user bus (Debian/Ubuntu: sudo apt-get install dbus-user-session), then sudo systemctl restart user@${uid}.service`,
    }
  }
  const controllers = controllerList(fs, join(manager, 'cgroup.controllers'))
  const missing = WANTED.filter((c) => !controllers.includes(c))
  if (missing.length > 0) return notDelegated(user, uid, controllers, missing)
  return { kind: 'systemd-scope', manager: 'user', busAddress: `unix:path=${bus}`, mount }
}

export function notDelegated(user: string, uid: number, available: readonly string[], missing: readonly string[]): CgroupIssue {
  return {
    cause: 'controllers-not-delegated',
    message: `user@${uid}.service does not delegate the ${missing.join(' and ')} controller${missing.length > 1 ? 's' : ''} to ${user} (delegated: ${available.join(' ') || 'none'})`,
    fix: `sudo testcell setup --user ${user} (adds Delegate=pids memory to user@.service and restarts the user manager)`,
  }
}

export function readOnlyIssue(mount: string): CgroupIssue {
  return {
    cause: 'cgroup-readonly',
    message: `the cgroup filesystem at ${mount} is mounted read-only (a container started without --privileged)`,
    fix: 'run the job container with --privileged for memory and pids limits',
  }
}

function notWritable(dir: string): CgroupIssue {
  return {
    cause: 'parent-not-usable',
    message: `this process's cgroup ${dir} is not writable by this user`,
    fix: 'run as root in the container, or set TESTCELL_CGROUP_PARENT to a cgroup v2 directory delegated to this user',
  }
}

function hasAll(fs: CgroupFs, file: string): boolean {
  const list = controllerList(fs, file)
  return WANTED.every((c) => list.includes(c))
}

/** The directory containers go in, when known without acquiring anything (for `testcell gc`). */
export function knownParentDir(plan: ParentPlan): string | null {
  return plan.kind === 'systemd-scope' ? null : plan.dir
}
