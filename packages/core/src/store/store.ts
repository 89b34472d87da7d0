import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ImageError } from '../errors.js'
import { processExists } from '../host/processes.js'
import type { OwnerMode } from '../layers/applier.js'
import { type Extracted, extractLayer, type LayerBlob } from '../layers/extract-layer.js'
import { layerKey } from './chain.js'
import { openStoreRoot, storeRoot } from './location.js'
import { type HeldLock, lock } from './lock.js'
import { removeTree } from './remove-tree.js'

/** What the store knows of a published layer (`meta/<key>.json`, written after the layer's rename). */
export interface LayerMeta {
  chainId: string
  diffId: string
  /** The blob it came from, when known (`sha256:…`). */
  digest: string | null
  /** Bytes of file data written. */
  bytes: number
  entries: number
  extractedAt: string
  /** For a flattened stack of layers: the chain id of its top layer. */
  flattens?: string
}

export interface LayerRequest {
  chainId: string
  diffId: string
  /** Extracted directories of the layers below, topmost first. */
  lowers: readonly string[]
  /** Fetches the blob; called only when the layer has to be extracted. */
  blob: () => Promise<LayerBlob>
}

export interface Ensured {
  dir: string
  /** Bytes extracted by this call (0 when the layer was already there). */
  extractedBytes: number
}

/**
 * The per-user, content-addressed layer store: `l/<key>` are extracted layers (immutable once published,
 * key = 96 bits of the chain id), `meta/<key>.json` marks one complete, `locks/<key>` serialize extraction
 * and carry leases, `images/` holds image records, `tmp/` extractions in progress (same filesystem, so
 * publishing is one rename). A layer counts as present only once its meta file exists, so a process killed
 * mid-extraction leaves nothing a later run takes as complete.
 */
export class ImageStore {
  readonly owner: OwnerMode

  private constructor(
    readonly root: string,
    uid: number,
  ) {
    this.owner = uid === 0 ? 'exact' : 'squash'
  }

  static open(root = storeRoot(), uid = process.getuid?.() ?? 0): ImageStore {
    openStoreRoot(root, uid)
    for (const dir of ['l', 'meta', 'locks', 'images', 'tmp', 'node']) mkdirSync(join(root, dir), { recursive: true, mode: 0o700 })
    return new ImageStore(root, uid)
  }

  layerDir(chainId: string): string {
    return join(this.root, 'l', layerKey(chainId))
  }

  lockPath(chainId: string): string {
    return join(this.root, 'locks', layerKey(chainId))
  }

  /** The layer's meta when it is completely there; throws on a (96-bit) key collision rather than mix layers. */
  layerMeta(chainId: string): LayerMeta | null {
    const file = join(this.root, 'meta', `${layerKey(chainId)}.json`)
    let meta: LayerMeta
    try {
      meta = JSON.parse(readFileSync(file, 'utf8')) as LayerMeta
    } catch {
      return null
    }
    if (meta.chainId !== chainId) {
      throw new ImageError('TESTCELL_IMAGE_STORE', `layer key collision in ${this.root}: ${chainId} and ${meta.chainId}; remove ${file} and retry`)
    }
    return existsSync(this.layerDir(chainId)) ? meta : null
  }

  /** Makes sure the layer is extracted; each layer is extracted once even with many processes asking. */
  async ensureLayer(request: LayerRequest): Promise<Ensured> {
    const dir = this.layerDir(request.chainId)
    if (this.layerMeta(request.chainId)) return { dir, extractedBytes: 0 }
    using _held = await lock(this.lockPath(request.chainId), 'exclusive')
    if (this.layerMeta(request.chainId)) return { dir, extractedBytes: 0 }
    const blob = await request.blob()
    const extracted = await this.extractInto(blob, request.lowers, true, (result) => {
      if (result.diffId !== request.diffId) {
        throw new ImageError('TESTCELL_IMAGE_LAYER', `layer ${blob.name}: diff_id mismatch: expected ${request.diffId}, got ${result.diffId}`, {
          blob: blob.name,
        })
      }
      return request.chainId
    })
    return { dir, extractedBytes: extracted.bytes }
  }

  /**
   * Extracts a single-layer image whose diff_id is unknown until read (a plain rootfs tarball), then
   * publishes it under that diff_id unless an identical layer is there already.
   */
  async extractBaseLayer(blob: LayerBlob): Promise<Extracted & { chainId: string }> {
    let chainId = ''
    const extracted = await this.extractInto(blob, [], false, (result) => {
      chainId = result.diffId
      return chainId
    })
    return { ...extracted, chainId }
  }

  /**
   * Extracts into tmp/, lets `decide` check the result and name the layer, and publishes it by rename
   * (`locked`: the caller holds the layer's lock already).
   */
  private async extractInto(blob: LayerBlob, lowers: readonly string[], locked: boolean, decide: (result: Extracted) => string): Promise<Extracted> {
    const work = this.tmpDir('layer')
    try {
      const root = join(work, 'root')
      mkdirSync(root, { mode: 0o755 })
      const result = await extractLayer(blob, root, { owner: this.owner, lowers })
      const chainId = decide(result)
      using _held = locked ? null : await lock(this.lockPath(chainId), 'exclusive')
      if (this.layerMeta(chainId)) return { ...result, bytes: 0 }
      this.publish(root, chainId, result, blob)
      return result
    } finally {
      removeTree(work)
    }
  }

  private publish(root: string, chainId: string, result: Extracted, blob: LayerBlob): void {
    this.publishDirectory(root, chainId, { diffId: result.diffId, digest: blob.digest ?? null, bytes: result.bytes, entries: result.entries })
  }

  /** Moves a finished tree into place, then writes its meta: only then does it count as present. */
  publishDirectory(root: string, chainId: string, facts: Omit<LayerMeta, 'chainId' | 'extractedAt'>): void {
    const dir = this.layerDir(chainId)
    if (existsSync(dir)) removeTree(dir) // a dir without meta: an earlier publish died before its meta
    renameSync(root, dir)
    const meta: LayerMeta = { chainId, ...facts, extractedAt: new Date().toISOString() }
    const file = join(this.root, 'meta', `${layerKey(chainId)}.json`)
    writeFileSync(`${file}.tmp-${process.pid}`, `${JSON.stringify(meta)}\n`)
    renameSync(`${file}.tmp-${process.pid}`, file)
  }

  /** A private scratch directory in tmp/, named after this process so `prune` can tell stale ones. */
  tmpDir(kind: string): string {
    const dir = join(this.root, 'tmp', `${process.pid}-${kind}-${randomBytes(4).toString('hex')}`)
    mkdirSync(dir, { mode: 0o700 })
    return dir
  }

  /** Leases: shared locks on each layer while a container uses them; `prune` skips leased layers. */
  async lease(chainIds: readonly string[]): Promise<Lease> {
    const held: HeldLock[] = []
    try {
      for (const chainId of chainIds) {
        const lease = await lock(this.lockPath(chainId), 'shared')
        held.push(lease)
        if (!this.layerMeta(chainId)) throw new ImageError('TESTCELL_IMAGE_STORE', `layer ${chainId} was removed from ${this.root} while starting; retry`)
      }
    } catch (error) {
      for (const h of held) h.release()
      throw error
    }
    return new Lease(held)
  }

  removeScratch(dir: string): void {
    removeTree(dir)
  }

  /** Scratch directories of processes that are gone (killed mid-extraction). */
  staleTmp(): string[] {
    return readdirSync(join(this.root, 'tmp'))
      .filter((name) => {
        const pid = Number(name.split('-')[0])
        return !Number.isInteger(pid) || pid <= 0 || !processExists(pid)
      })
      .map((name) => join(this.root, 'tmp', name))
  }

  removeStaleTmp(): string[] {
    const stale = this.staleTmp()
    for (const dir of stale) rmSync(dir, { recursive: true, force: true })
    return stale
  }
}

/** Layers held for one container; `release()` (idempotent) when it is gone. */
export class Lease {
  constructor(private readonly held: HeldLock[]) {}

  release(): void {
    for (const h of this.held) h.release()
  }
}
