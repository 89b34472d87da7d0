import { readFileSync } from 'node:fs'
import { release } from 'node:os'
import { type CgroupDetection, detectCgroups, offLinuxCgroups } from '../cgroup/detect.js'
import type { Privilege } from '../rootfs/host-root.js'
import { hasFullRootCapabilities } from './facts.js'
import { type MountEntry, readMountInfo } from './mountinfo.js'

export { readSysctl } from './facts.js'

export interface HostInfo {
  platform: NodeJS.Platform
  privilege: Privilege
  uid: number
  gid: number
  kernel: string
  mounts: MountEntry[]
  cgroups: CgroupDetection
}

let cached: HostInfo | undefined

/**
 * Facts about this host that decide how containers are built; read once per process. The platform is
 * checked first: off Linux nothing under /proc is read, and the result says containers cannot run.
 */
export function hostInfo(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): HostInfo {
  const uid = process.getuid?.() ?? -1
  const gid = process.getgid?.() ?? -1
  if (platform !== 'linux') {
    return { platform, privilege: uid === 0 ? 'root' : 'rootless', uid, gid, kernel: release(), mounts: [], cgroups: offLinuxCgroups(platform) }
  }
  if (cached) return cached
  // Root in a container without --privileged lacks CAP_SYS_ADMIN or CAP_NET_ADMIN: it builds containers the
  // rootless way, in a user namespace (where it has them), mapped to itself.
  const privilege: Privilege = uid === 0 && hasFullRootCapabilities(readFileSync('/proc/self/status', 'utf8')) ? 'root' : 'rootless'
  const mounts = readMountInfo()
  cached = {
    platform,
    privilege,
    uid,
    gid,
    kernel: release(),
    mounts,
    cgroups: detectCgroups({ privilege, uid, mounts, env }),
  }
  return cached
}
