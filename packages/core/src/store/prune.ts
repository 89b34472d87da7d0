import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { layerKey } from './chain.js'
import { readJsonFiles } from './json-files.js'
import { tryLock } from './lock.js'
import { listRecords, removeRecord } from './records.js'
import { removeTree } from './remove-tree.js'
import type { ImageStore, LayerMeta } from './store.js'

export interface PruneReport {
  removedLayers: LayerMeta[]
  /** Layers no image needs but a running container holds (leased): left for a later prune. */
  inUse: number
  removedImages: string[]
  staleTmp: number
}

/**
 * Removes layers no image record references (with `all`, every record first), never one a running
 * container holds: each layer is removed only under its exclusive lock, which a lease prevents.
 */
export function prune(store: ImageStore, options: { all?: boolean } = {}): PruneReport {
  const staleTmp = store.removeStaleTmp().length
  const removedImages: string[] = []
  if (options.all) {
    for (const record of listRecords(store)) if (removeRecord(store, record.reference)) removedImages.push(record.reference)
  }
  const referenced = new Set(listRecords(store).flatMap((r) => r.layers.map((l) => l.chainId)))
  const removedLayers: LayerMeta[] = []
  let inUse = 0
  for (const meta of allMeta(store)) {
    if (referenced.has(meta.flattens ?? meta.chainId)) continue
    const held = tryLock(store.lockPath(meta.chainId), 'exclusive')
    if (!held) {
      inUse++
      continue
    }
    try {
      rmSync(join(store.root, 'meta', `${layerKey(meta.chainId)}.json`), { force: true }) // from here on it is not complete
      removeTree(store.layerDir(meta.chainId))
      rmSync(store.lockPath(meta.chainId), { force: true })
      removedLayers.push(meta)
    } finally {
      held.release()
    }
  }
  return { removedLayers, inUse, removedImages, staleTmp }
}

export function allMeta(store: ImageStore): LayerMeta[] {
  return readJsonFiles<LayerMeta>(join(store.root, 'meta'))
}
