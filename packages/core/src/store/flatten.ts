import { createHash } from 'node:crypto'
import {
  chmodSync,
  closeSync,
  constants,
  lchownSync,
  linkSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  openSync,
  readdirSync,
  type Stats,
  utimesSync,
} from 'node:fs'
import { join } from 'node:path'
import { OPAQUE_XATTR } from '../layers/entry-path.js'
import { fgetxattr } from '../layers/syscalls.js'
import { lock } from './lock.js'
import type { ImageRecord } from './records.js'
import { removeTree } from './remove-tree.js'
import type { ImageStore } from './store.js'

/** The launcher's limit of lower layers per overlay op. */
export const OVERLAY_MAX_LOWERS = 64
/**
 * mount(2) copies at most one page of options. The launcher writes `lowerdir=` and each host path with an
 * `/oldroot` prefix, then `,upperdir=/ovl/N/upper,workdir=/ovl/N/work,userxattr`: 200 bytes keep room.
 */
export const MOUNT_DATA_BUDGET = 4096 - 200
const LAUNCHER_HOST_PREFIX = '/oldroot'

export function lowerCost(dir: string): number {
  return LAUNCHER_HOST_PREFIX.length + dir.replace(/[\\,:]/g, '\\$&').length + 1
}

/**
 * The directories an image is mounted from, topmost first: its layers, or, when they do not fit in one
 * overlay (64 lowers, one page of options), its upper layers over one flattened directory of the lower
 * ones (built once per chain and stored like a layer).
 */
export async function mountableLayers(store: ImageStore, record: ImageRecord): Promise<{ lowers: string[]; chainIds: string[] }> {
  const chain = record.layers.map((l) => l.chainId)
  const topFirst = [...chain].reverse()
  let used = 0
  let fits = 0
  for (const chainId of topFirst) {
    used += lowerCost(store.layerDir(chainId))
    if (used > MOUNT_DATA_BUDGET || fits === OVERLAY_MAX_LOWERS) break
    fits++
  }
  if (fits === chain.length) return { lowers: topFirst.map((c) => store.layerDir(c)), chainIds: chain }
  // Keep the top (fits - 1) layers; everything below becomes one flat layer.
  const keep = topFirst.slice(0, Math.max(0, fits - 1))
  const flattened = chain.slice(0, chain.length - keep.length)
  const flatId = `sha256:${createHash('sha256')
    .update(`flat ${flattened[flattened.length - 1]}`)
    .digest('hex')}`
  await ensureFlat(store, flatId, flattened)
  const ids = [...keep, flatId]
  return { lowers: ids.map((c) => store.layerDir(c)), chainIds: ids }
}

async function ensureFlat(store: ImageStore, flatId: string, chain: string[]): Promise<void> {
  if (store.layerMeta(flatId)) return
  using _held = await lock(store.lockPath(flatId), 'exclusive')
  if (store.layerMeta(flatId)) return
  const work = store.tmpDir('flat')
  try {
    const root = join(work, 'root')
    mkdirSync(root, { mode: 0o755 })
    const dirs = new Map<string, Stats>()
    for (const chainId of chain) merge(store.layerDir(chainId), root, '', dirs, store.owner === 'exact')
    const byDepth = [...dirs].sort(([a], [b]) => b.split('/').length - a.split('/').length)
    for (const [rel, stat] of byDepth) {
      const path = join(root, rel)
      if (store.owner === 'exact') lchownSync(path, stat.uid, stat.gid)
      chmodSync(path, stat.mode & 0o7777)
      utimesSync(path, stat.atime, stat.mtime)
    }
    store.publishDirectory(root, flatId, { diffId: flatId, digest: null, bytes: 0, entries: 0, flattens: chain[chain.length - 1]! })
  } finally {
    removeTree(work)
  }
}

/** Applies one extracted layer onto the flat tree: whiteouts delete, opaque directories drop lower children. */
function merge(layer: string, flat: string, rel: string, dirs: Map<string, Stats>, exact: boolean): void {
  const source = join(layer, rel)
  const target = join(flat, rel)
  if (rel !== '' && isOpaque(source)) {
    for (const name of readdirSync(target)) removeTree(join(target, name))
  }
  for (const name of readdirSync(source)) {
    const from = join(source, name)
    const to = join(target, name)
    const stat = lstatSync(from)
    const existing = lstatSync(to, { throwIfNoEntry: false })
    if (stat.isCharacterDevice() && stat.rdev === 0) {
      if (existing) removeTree(to)
      continue
    }
    if (stat.isDirectory()) {
      if (existing && !existing.isDirectory()) removeTree(to)
      if (!existing?.isDirectory()) mkdirSync(to, 0o700)
      dirs.set(join(rel, name), stat)
      merge(layer, flat, join(rel, name), dirs, exact)
      continue
    }
    if (existing) removeTree(to)
    // Layers are immutable: the flat tree shares their inodes (files, symlinks, FIFOs) instead of copying.
    linkSync(from, to)
    if (stat.isSymbolicLink() && exact) lchownSync(to, stat.uid, stat.gid)
    if (stat.isSymbolicLink()) lutimesSync(to, stat.atime, stat.mtime)
  }
}

function isOpaque(dir: string): boolean {
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY)
  try {
    return fgetxattr(fd, OPAQUE_XATTR) === 'y'
  } finally {
    closeSync(fd)
  }
}
