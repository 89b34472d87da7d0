import type { MountEntry } from '../host/mountinfo.js'
import { isWithin } from '../host/paths.js'
import { launcherFds } from '../launcher/fds.js'
import type { PlanOp } from '../launcher/plan.js'
import { rootlessIdMaps } from '../namespaces.js'
import type { ContainerConfig } from '../options/container-options.js'
import { PRIVATE_PATHS, type Privilege, planHostTree } from './host-root.js'
import type { HostTree } from './host-tree.js'
import { type ImageRoot, planImageBase, planImageVisible } from './image-root.js'
import { MASKED_PATHS, READONLY_PATHS } from './masks.js'

export interface PlanInput {
  config: ContainerConfig
  privilege: Privilege
  uid: number
  gid: number
  mounts: readonly MountEntry[]
  tree: HostTree
  /** Cgroup steps from the cgroup driver (join/enter and remove). */
  cgroup: readonly PlanOp[]
  /** A root from an image instead of the host's. */
  image?: ImageRoot | null
}

/** The complete plan for one container: namespaces, cgroup, root filesystem, payload. */
export function buildContainerPlan(input: PlanInput): PlanOp[] {
  const { config, privilege } = input
  const rootless = privilege === 'rootless'
  const plan: PlanOp[] = []
  if (rootless) plan.push({ op: 'userns', ...rootlessIdMaps(input.uid, input.gid) })
  if (config.network !== 'host') plan.push({ op: 'netns', mode: config.network })
  plan.push({ op: 'hostname', name: config.hostname })
  plan.push(...input.cgroup)
  plan.push({ op: 'overlay-userxattr', enabled: rootless })
  plan.push({ op: 'mount-tmpfs-root', mode: 0o755 })
  const { image } = input
  if (image) plan.push(...planImageBase(image, rootless))
  else plan.push(...planHostTree({ root: '/', skip: PRIVATE_PATHS, mounts: input.mounts, privilege, tree: input.tree }))
  plan.push({ op: 'proc', target: '/proc' })
  plan.push({ op: 'dev', target: '/dev' })
  plan.push({ op: 'tmpfs', target: '/tmp', mode: 0o1777 })
  if (image) plan.push(...planImageVisible(image, { paths: config.visiblePaths, mounts: input.mounts, privilege, tree: input.tree }))
  for (const path of image ? [] : visibleUnderTmp(config.visiblePaths, input.tree)) {
    plan.push(...planHostTree({ root: path, skip: [], mounts: input.mounts, privilege, tree: input.tree }))
  }
  plan.push(sysfs(config, rootless))
  for (const volume of config.volumes) {
    plan.push({ op: 'bind', source: volume.source, target: volume.target, readonly: volume.readonly })
  }
  plan.push(...MASKED_PATHS.map((target): PlanOp => ({ op: 'mask', target })))
  plan.push(...READONLY_PATHS.map((target): PlanOp => ({ op: 'readonly', target })))
  plan.push({ op: 'cwd', dir: config.workdir })
  const { ipcFd } = launcherFds(config.ipc !== false)
  if (ipcFd !== null) plan.push({ op: 'keep-fd', fd: ipcFd })
  plan.push({ op: 'caps', mode: 'default' })
  if (config.seccomp) plan.push({ op: 'seccomp', mode: config.seccomp })
  plan.push({ op: 'argv', args: config.command })
  return plan
}

/** The private /tmp would hide a project living under /tmp: such paths are overlaid on top of it. */
function visibleUnderTmp(paths: readonly string[], tree: HostTree): string[] {
  const under = paths.filter((p) => isWithin(p, '/tmp') && p !== '/tmp' && tree.kind(p) === 'dir')
  return under.filter((p) => !under.some((other) => other !== p && isWithin(p, other)))
}

/** A fresh sysfs shows the container's own network namespace; with the host's network, the host's, read-only. */
function sysfs(config: ContainerConfig, rootless: boolean): PlanOp {
  if (config.network !== 'host') return { op: 'sysfs', target: '/sys' }
  return rootless ? { op: 'bind', source: '/sys', target: '/sys', readonly: true } : { op: 'sysfs', target: '/sys' }
}
