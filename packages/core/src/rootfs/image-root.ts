import type { MountEntry } from '../host/mountinfo.js'
import { isWithin } from '../host/paths.js'
import type { PlanOp } from '../launcher/plan.js'
import { RUNTIME_MOUNT } from '../node-runtime/runtime.js'
import { type Privilege, planHostTree } from './host-root.js'
import type { HostTree } from './host-tree.js'

/** An image's root: its layer directories in the store, and the host Node runtime to inject, if any. */
export interface ImageRoot {
  /** Extracted layers (0/0 whiteouts, `user.overlay.opaque`), topmost first. */
  lowers: readonly string[]
  /** A host directory bound read-only at /.tc (the injected Node), or null. */
  nodeRuntime: string | null
}

/**
 * The image as the container's `/`: one overlay of its layers, always with `userxattr` (root and rootless
 * read the same on-disk whiteouts and opaque markers), upper on the launcher's private tmpfs.
 */
export function planImageBase(image: ImageRoot, rootless: boolean): PlanOp[] {
  const ops: PlanOp[] = [{ op: 'overlay-userxattr', enabled: true }]
  if (image.lowers.length > 0) ops.push({ op: 'overlay', target: '/', lowers: image.lowers })
  ops.push({ op: 'overlay-userxattr', enabled: rootless })
  return ops
}

export interface VisibleRequest {
  paths: readonly string[]
  mounts: readonly MountEntry[]
  privilege: Privilege
  tree: HostTree
}

/**
 * What the worker needs from the host, at the same paths and copy-on-write as on the host root: the
 * project, its node_modules, Vitest and testcell; plus the injected Node runtime.
 */
export function planImageVisible(image: ImageRoot, request: VisibleRequest): PlanOp[] {
  const dirs = request.paths.filter((p) => p !== '/' && request.tree.kind(p) === 'dir')
  const outermost = [...new Set(dirs)].filter((p) => !dirs.some((other) => other !== p && isWithin(p, other)))
  const ops: PlanOp[] = []
  for (const root of outermost.sort()) ops.push(...planHostTree({ root, skip: [], mounts: request.mounts, privilege: request.privilege, tree: request.tree }))
  if (image.nodeRuntime) ops.push({ op: 'bind', source: image.nodeRuntime, target: RUNTIME_MOUNT, readonly: true })
  return ops
}
