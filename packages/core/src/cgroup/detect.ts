import { join } from 'node:path'
import type { MountEntry } from '../host/mountinfo.js'
import type { Privilege } from '../rootfs/host-root.js'
import { type CgroupFs, controllerList, liveCgroupFs } from './cgroup-fs.js'
import { type CgroupIssue, chooseParent, type ParentPlan, readOnlyIssue } from './parent.js'
import type { CgroupDriver } from './types.js'
import { CgroupV1Driver } from './v1.js'
import { V2ParentDriver } from './v2-parent-driver.js'

export type CgroupLayout = 'v1' | 'v2' | 'hybrid' | 'none'

export interface CgroupDetection {
  layout: CgroupLayout
  /** Where the memory controller lives, for diagnostics. */
  memoryAt: string | null
  /** Creates containers' cgroups; null when limits cannot be had here (see `issues`). */
  driver: CgroupDriver | null
  /** On cgroup v2: where containers' cgroups will go, decided but not yet set up. */
  parent: ParentPlan | null
  /** Why no driver is usable: what is missing and the fix. */
  issues: CgroupIssue[]
  /** The issues as sentences (message and fix). */
  problems: string[]
}

export interface DetectCgroupInput {
  privilege: Privilege
  uid?: number
  mounts: readonly MountEntry[]
  env?: NodeJS.ProcessEnv
  fs?: CgroupFs
}

/** Finds how containers get memory and pids limits here. Reads only: nothing is created, moved or enabled. */
export function detectCgroups(input: DetectCgroupInput): CgroupDetection {
  const fs = input.fs ?? liveCgroupFs
  const env = input.env ?? {}
  const v1Memory = input.mounts.find((m) => m.fsType === 'cgroup' && m.superOptions.includes('memory'))
  const v1Pids = input.mounts.find((m) => m.fsType === 'cgroup' && m.superOptions.includes('pids'))
  const v2 = input.mounts.find((m) => m.fsType === 'cgroup2')
  const hasV1 = input.mounts.some((m) => m.fsType === 'cgroup')
  const layout: CgroupLayout = hasV1 && v2 ? 'hybrid' : hasV1 ? 'v1' : v2 ? 'v2' : 'none'
  const v2HasMemory = v2 ? controllerList(fs, join(v2.mountPoint, 'cgroup.controllers')).includes('memory') : false
  const memoryAt = v1Memory ? `${v1Memory.mountPoint} (cgroup v1)` : v2HasMemory ? `${v2!.mountPoint} (cgroup v2)` : null
  const base = { layout, memoryAt }
  const none = (...issues: CgroupIssue[]): CgroupDetection => ({ ...base, driver: null, parent: null, issues, problems: issues.map(sentence) })

  if (v1Memory && (input.privilege === 'root' || env.TESTCELL_CGROUP_PARENT)) {
    const parent = env.TESTCELL_CGROUP_PARENT
    if (parent && fs.read(join(parent, 'memory.limit_in_bytes')) === null) return detectV2(input, fs, env, base, v2?.mountPoint ?? parent)
    if (parent && !fs.writable(parent)) {
      return none({
        cause: 'parent-not-usable',
        message: `TESTCELL_CGROUP_PARENT=${parent} is not a cgroup this user can write`,
        fix: 'unset it, or point it at your own cgroup',
      })
    }
    if (v1Memory.mountOptions.includes('ro')) return none(readOnlyIssue(v1Memory.mountPoint))
    const driver = parent ? new CgroupV1Driver(parent, null) : new CgroupV1Driver(v1Memory.mountPoint, v1Pids?.mountPoint ?? null)
    return { ...base, driver, parent: null, issues: [], problems: [] }
  }
  if (v1Memory) {
    return none({
      cause: 'cgroup-v1-rootless',
      message: 'the memory controller is on cgroup v1, which cannot be delegated to unprivileged users',
      fix: 'boot with cgroup v2 only (kernel command line systemd.unified_cgroup_hierarchy=1 cgroup_no_v1=all; on WSL2 see `testcell doctor`), or run as root',
    })
  }
  if (v2 && v2HasMemory) return detectV2(input, fs, env, base, v2.mountPoint, v2.mountOptions.includes('ro'))
  return none({
    cause: 'no-memory-controller',
    message: 'no cgroup memory controller is available (neither cgroup v1 nor v2 offers one)',
    fix: 'use a kernel with the memory controller (CONFIG_MEMCG) and mount cgroup2 at /sys/fs/cgroup',
  })
}

function detectV2(
  input: DetectCgroupInput,
  fs: CgroupFs,
  env: NodeJS.ProcessEnv,
  base: Pick<CgroupDetection, 'layout' | 'memoryAt'>,
  mount: string,
  readOnly = false,
): CgroupDetection {
  const chosen = chooseParent({ privilege: input.privilege, uid: input.uid ?? process.getuid?.() ?? -1, mount, readOnly, env, fs })
  if ('cause' in chosen) return { ...base, driver: null, parent: null, issues: [chosen], problems: [sentence(chosen)] }
  return { ...base, driver: new V2ParentDriver(chosen), parent: chosen, issues: [], problems: [] }
}

/** What off-Linux hosts get: no cgroups, and the one reason. */
export function offLinuxCgroups(platform: NodeJS.Platform): CgroupDetection {
  const issue: CgroupIssue = {
    cause: 'not-linux',
    message: `containers need Linux; this is ${platform}`,
    fix: 'run the tests in Linux: Docker, a Linux VM, or WSL2 on Windows',
  }
  return { layout: 'none', memoryAt: null, driver: null, parent: null, issues: [issue], problems: [sentence(issue)] }
}

function sentence(issue: CgroupIssue): string {
  return `${issue.message}: ${issue.fix}`
}
