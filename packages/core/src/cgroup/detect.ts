import { accessSync, constants, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { MountEntry } from '../host/mountinfo.js'
import type { Privilege } from '../rootfs/host-root.js'
import { readOptional, writeControl } from './files.js'
import type { CgroupDriver } from './types.js'
import { CgroupV1Driver } from './v1.js'
import { CgroupV2Driver } from './v2.js'

export type CgroupLayout = 'v1' | 'v2' | 'hybrid' | 'none'

export interface CgroupDetection {
  layout: CgroupLayout
  /** Where the memory controller lives, for diagnostics. */
  memoryAt: string | null
  driver: CgroupDriver | null
  /** Why no driver is usable, one actionable sentence each. */
  problems: string[]
}

export interface DetectCgroupInput {
  privilege: Privilege
  mounts: readonly MountEntry[]
  /** A cgroup delegated to this user (TESTCELL_CGROUP_PARENT). */
  delegatedParent?: string | undefined
  selfCgroup?: string
}

export function detectCgroups(input: DetectCgroupInput): CgroupDetection {
  const v1Memory = input.mounts.find((m) => m.fsType === 'cgroup' && m.superOptions.includes('memory'))
  const v1Pids = input.mounts.find((m) => m.fsType === 'cgroup' && m.superOptions.includes('pids'))
  const v2 = input.mounts.find((m) => m.fsType === 'cgroup2')
  const hasV1 = input.mounts.some((m) => m.fsType === 'cgroup')
  const layout: CgroupLayout = hasV1 && v2 ? 'hybrid' : hasV1 ? 'v1' : v2 ? 'v2' : 'none'
  const v2HasMemory = v2 ? controllers(v2.mountPoint).includes('memory') : false
  const memoryAt = v1Memory ? `${v1Memory.mountPoint} (cgroup v1)` : v2HasMemory ? `${v2!.mountPoint} (cgroup v2)` : null
  const base = { layout, memoryAt }

  if (input.delegatedParent) return { ...base, ...delegated(input.delegatedParent) }
  if (input.privilege === 'root') {
    if (v1Memory) return { ...base, driver: new CgroupV1Driver(v1Memory.mountPoint, v1Pids?.mountPoint ?? null), problems: [] }
    if (v2 && v2HasMemory) return { ...base, ...rootV2(v2.mountPoint) }
    return { ...base, driver: null, problems: ['no cgroup memory controller is mounted (neither v1 nor v2)'] }
  }
  if (v1Memory) {
    return {
      ...base,
      driver: null,
      problems: [
        'the memory controller is on cgroup v1, which cannot be delegated to unprivileged users: run as root, or boot with cgroup v2 (systemd.unified_cgroup_hierarchy=1)',
      ],
    }
  }
  if (v2 && v2HasMemory) return { ...base, ...rootlessV2(v2.mountPoint, input.selfCgroup ?? ownCgroupPath()) }
  return { ...base, driver: null, problems: ['no cgroup memory controller is available to this user'] }
}

function rootV2(mount: string): Pick<CgroupDetection, 'driver' | 'problems'> {
  try {
    enableControllers(mount)
    return { driver: new CgroupV2Driver(mount), problems: [] }
  } catch (cause) {
    return { driver: null, problems: [`cannot enable memory and pids controllers in ${mount}: ${(cause as Error).message}`] }
  }
}

function rootlessV2(mount: string, self: string): Pick<CgroupDetection, 'driver' | 'problems'> {
  const parent = join(mount, dirname(self))
  if (!writable(parent) || !controllers(parent).includes('memory')) {
    return {
      driver: null,
      problems: [
        `the memory controller is not delegated to ${parent} (available: ${controllers(parent).join(' ') || 'none'}): ` +
          'add "Delegate=memory pids" in /etc/systemd/system/user@.service.d/delegate.conf, run systemctl daemon-reload and log in again, ' +
          'or set TESTCELL_CGROUP_PARENT to a cgroup v2 directory you own with memory in cgroup.controllers, or run as root',
      ],
    }
  }
  return delegated(parent)
}

function delegated(parent: string): Pick<CgroupDetection, 'driver' | 'problems'> {
  if (!writable(parent)) return { driver: null, problems: [`TESTCELL_CGROUP_PARENT ${parent} is not a directory this user can write`] }
  if (readOptional(join(parent, 'memory.limit_in_bytes')) !== null) {
    return { driver: new CgroupV1Driver(parent, null), problems: [] }
  }
  try {
    enableControllers(parent)
  } catch (cause) {
    return { driver: null, problems: [`cannot enable the memory controller below ${parent}: ${(cause as Error).message}`] }
  }
  return { driver: new CgroupV2Driver(parent), problems: [] }
}

function enableControllers(dir: string): void {
  const wanted = ['memory', 'pids'].filter((c) => controllers(dir).includes(c))
  const enabled = (readOptional(join(dir, 'cgroup.subtree_control')) ?? '').split(/\s+/)
  const missing = wanted.filter((c) => !enabled.includes(c))
  if (missing.length > 0) writeControl(join(dir, 'cgroup.subtree_control'), missing.map((c) => `+${c}`).join(' '))
}

function controllers(dir: string): string[] {
  return (readOptional(join(dir, 'cgroup.controllers')) ?? '').trim().split(/\s+/).filter(Boolean)
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK | constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** This process's cgroup v2 path ("0::/path" in /proc/self/cgroup). */
function ownCgroupPath(): string {
  const line = readFileSync('/proc/self/cgroup', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('0::'))
  return line?.slice(3) || '/'
}
