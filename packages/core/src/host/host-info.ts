import { readFileSync } from 'node:fs'
import { release } from 'node:os'
import { type CgroupDetection, detectCgroups } from '../cgroup/detect.js'
import type { Privilege } from '../rootfs/host-root.js'
import { type MountEntry, readMountInfo } from './mountinfo.js'

export interface HostInfo {
  privilege: Privilege
  uid: number
  gid: number
  kernel: string
  mounts: MountEntry[]
  cgroups: CgroupDetection
}

let cached: HostInfo | undefined

/** Facts about this host that decide how containers are built; read once per process. */
export function hostInfo(env: NodeJS.ProcessEnv = process.env): HostInfo {
  if (cached) return cached
  const uid = process.getuid?.() ?? -1
  const gid = process.getgid?.() ?? -1
  const privilege: Privilege = uid === 0 ? 'root' : 'rootless'
  const mounts = readMountInfo()
  cached = {
    privilege,
    uid,
    gid,
    kernel: release(),
    mounts,
    cgroups: detectCgroups({ privilege, mounts, delegatedParent: env.TESTCELL_CGROUP_PARENT }),
  }
  return cached
}

export function readSysctl(name: string): string | null {
  try {
    return readFileSync(`/proc/sys/${name.replaceAll('.', '/')}`, 'utf8').trim()
  } catch {
    return null
  }
}
