import { join } from 'node:path'
import type { MountEntry } from '../host/mountinfo.js'
import { isBelow, isWithin } from '../host/paths.js'
import type { PlanOp } from '../launcher/plan.js'
import type { HostTree } from './host-tree.js'

/** Filesystems that are views of the kernel, not data: never used as overlay layers. */
const VIRTUAL_FS = new Set([
  'proc',
  'sysfs',
  'devtmpfs',
  'devpts',
  'cgroup',
  'cgroup2',
  'mqueue',
  'debugfs',
  'tracefs',
  'securityfs',
  'pstore',
  'bpf',
  'configfs',
  'fusectl',
  'hugetlbfs',
  'autofs',
  'binfmt_misc',
  'nsfs',
  'efivarfs',
  'rpc_pipefs',
])

/** Paths the container gets fresh instances of, instead of the host's. */
export const PRIVATE_PATHS = ['/proc', '/sys', '/dev', '/tmp']

export type Privilege = 'root' | 'rootless'

export interface TreeRequest {
  /** Host directory to show, copy-on-write, at the same path inside. */
  root: string
  /** Paths below `root` the planner must leave alone. */
  skip: readonly string[]
  mounts: readonly MountEntry[]
  privilege: Privilege
  tree: HostTree
}

/**
 * Plans overlays that show the host tree at `root` copy-on-write, including directories that are separate
 * mounts. As real root one overlay per host mount works. In a user namespace an overlay lower may not
 * contain other mounts (the kernel refuses to clone a mount with locked children), so there the tree is
 * split into the largest directories without mounts below them.
 */
export function planHostTree(request: TreeRequest): PlanOp[] {
  const mounts = visibleMounts(request.mounts)
  return request.privilege === 'root' ? planPerMount(request, mounts) : planPerDirectory(request, mounts, request.root)
}

/** The mounts that are visible, in mount order: a later mount hides earlier ones at or below its path. */
export function visibleMounts(mounts: readonly MountEntry[]): MountEntry[] {
  const visible: MountEntry[] = []
  for (const mount of mounts) {
    for (let i = visible.length - 1; i >= 0; i--) {
      if (isWithin(visible[i]!.mountPoint, mount.mountPoint)) visible.splice(i, 1)
    }
    visible.push(mount)
  }
  return visible.sort((a, b) => a.mountPoint.localeCompare(b.mountPoint))
}

function skipped(path: string, skip: readonly string[]): boolean {
  return skip.some((s) => isWithin(path, s))
}

function planPerMount(request: TreeRequest, mounts: MountEntry[]): PlanOp[] {
  const { root, skip, tree } = request
  const ops: PlanOp[] = [{ op: 'overlay', target: root, lowers: [root] }]
  for (const mount of mounts) {
    const path = mount.mountPoint
    if (!isBelow(path, root) || skipped(path, skip) || VIRTUAL_FS.has(mount.fsType)) continue
    ops.push(...planMountPoint(path, tree))
  }
  return ops
}

function planMountPoint(path: string, tree: HostTree): PlanOp[] {
  switch (tree.kind(path)) {
    case 'dir':
      return [{ op: 'overlay', target: path, lowers: [path] }]
    case 'file':
      // A file bind-mounted by the host (e.g. a CI runner's /etc/hosts): shown read-only, never written through.
      return [{ op: 'bind', source: path, target: path, readonly: true }]
    default:
      return []
  }
}

function planPerDirectory(request: TreeRequest, mounts: MountEntry[], dir: string): PlanOp[] {
  const { skip, tree } = request
  const own = mounts.find((m) => m.mountPoint === dir)
  if (own && VIRTUAL_FS.has(own.fsType)) return [{ op: 'mkdir', target: dir, mode: 0o755 }]
  if (!tree.accessible(dir)) return [{ op: 'mkdir', target: dir, mode: tree.mode(dir) }]
  if (!mounts.some((m) => isBelow(m.mountPoint, dir))) return [{ op: 'overlay', target: dir, lowers: [dir] }]

  const ops: PlanOp[] = [{ op: 'mkdir', target: dir, mode: tree.mode(dir) }]
  for (const name of tree.list(dir)) {
    const path = join(dir, name)
    if (skipped(path, skip)) continue
    switch (tree.kind(path)) {
      case 'dir':
        ops.push(...planPerDirectory(request, mounts, path))
        break
      case 'symlink':
        ops.push({ op: 'symlink', linkText: tree.readlink(path), target: path })
        break
      case 'file':
        // Files beside mount points cannot be overlaid one by one; shown read-only so the host stays untouched.
        ops.push({ op: 'bind', source: path, target: path, readonly: true })
        break
      default:
        break
    }
  }
  return ops
}
