import { statSync } from 'node:fs'
import { join } from 'node:path'
import { ImageError } from '../errors.js'
import { pullImage } from '../registry/pull.js'
import { chainIds } from '../store/chain.js'
import { mountableLayers } from '../store/flatten.js'
import { lock } from '../store/lock.js'
import { type ImageRecord, readRecord, recordKey, writeRecord } from '../store/records.js'
import { ImageStore, type Lease } from '../store/store.js'
import type { ResolvedImage } from './image.js'
import { hostPlatform } from './platform.js'
import type { ImageReference } from './reference.js'
import { resolveLocal } from './resolve-local.js'

export interface PrepareOptions {
  store?: ImageStore
  /** `missing` (default): use what the store has; `always`: resolve the source again (`images pull`). */
  pull?: 'missing' | 'always'
}

/** An image ready to be a container's root, its layers leased until `release()`. */
export interface PreparedImage {
  record: ImageRecord
  /** Directories for the overlay's lower layers, topmost first. */
  lowers: string[]
  /** Work done by this call: 0 and 0 when the image was in the store already. */
  extractedLayers: number
  extractedBytes: number
  store: ImageStore
  release(): void
}

/** The most layers an image may have (the kernel's overlay limit; Docker itself stops at 127). */
export const MAX_LAYERS = 500

/**
 * Makes the image's layers present in the store (resolving, pulling and extracting what is missing; one
 * process extracts, the others wait and reuse) and leases them for one container.
 */
export async function prepareImage(reference: ImageReference, options: PrepareOptions = {}): Promise<PreparedImage> {
  const store = options.store ?? ImageStore.open()
  for (let attempt = 0; ; attempt++) {
    const { record, extractedLayers, extractedBytes } = await ensureRecord(reference, store, options.pull ?? 'missing')
    const { lowers, chainIds: used } = await mountableLayers(store, record)
    let lease: Lease
    try {
      lease = await store.lease(used)
    } catch (error) {
      if (attempt < 2) continue // pruned between the check and the lease: make it present again
      throw error
    }
    return { record, lowers, extractedLayers, extractedBytes, store, release: () => lease.release() }
  }
}

async function ensureRecord(reference: ImageReference, store: ImageStore, pull: 'missing' | 'always') {
  const identity = sourceIdentity(reference)
  using _image = await lock(join(store.root, 'locks', `image-${recordKey(reference.text)}`), 'exclusive')
  const known = readRecord(store, reference.text)
  const reuse = known && known.identity === identity && !(pull === 'always' && reference.transport === 'registry')
  if (reuse && known.layers.every((l) => store.layerMeta(l.chainId))) return { record: known, extractedLayers: 0, extractedBytes: 0 }
  if (reference.transport === 'rootfs') {
    const layer = await store.extractBaseLayer({ file: reference.path, name: reference.text })
    const record = newRecord(reference.text, identity, null, { env: [], platform: hostPlatform() }, [
      { chainId: layer.chainId, diffId: layer.diffId, digest: null },
    ])
    writeRecord(store, record)
    return { record, extractedLayers: layer.bytes > 0 ? 1 : 0, extractedBytes: layer.bytes }
  }
  const image =
    reference.transport === 'registry' ? await pullImage(reference.registry, store, hostPlatform()) : await resolveLocal(reference, store, hostPlatform())
  try {
    return await extractAll(reference.text, identity, image, store)
  } finally {
    image.dispose()
  }
}

async function extractAll(reference: string, identity: string | null, image: ResolvedImage, store: ImageStore) {
  if (image.layers.length > MAX_LAYERS)
    throw new ImageError('TESTCELL_IMAGE', `${reference} has ${image.layers.length} layers; at most ${MAX_LAYERS} are supported`)
  const chains = chainIds(image.layers.map((l) => l.diffId))
  const below: string[] = []
  let extractedLayers = 0
  let extractedBytes = 0
  for (const [i, layer] of image.layers.entries()) {
    const chainId = chains[i]!
    const ensured = await store.ensureLayer({ chainId, diffId: layer.diffId, lowers: [...below].reverse(), blob: () => layer.blob() })
    below.push(ensured.dir)
    if (ensured.extractedBytes > 0) extractedLayers++
    extractedBytes += ensured.extractedBytes
  }
  const config = image.config
  const platform = {
    os: config.os ?? 'linux',
    architecture: config.architecture ?? hostPlatform().architecture,
    ...(config.variant ? { variant: config.variant } : {}),
  }
  const layers = image.layers.map((l, i) => ({ chainId: chains[i]!, diffId: l.diffId, digest: l.digest }))
  const record = newRecord(reference, identity, image.manifestDigest, { env: config.config?.Env ?? [], platform }, layers)
  writeRecord(store, record)
  return { record, extractedLayers, extractedBytes }
}

function newRecord(
  reference: string,
  identity: string | null,
  manifestDigest: string | null,
  config: { env: string[]; platform: ImageRecord['platform'] },
  layers: ImageRecord['layers'],
): ImageRecord {
  return { reference, identity, manifestDigest, platform: config.platform, env: config.env, layers, createdAt: new Date().toISOString() }
}

/** A local source's identity: a changed file (or OCI index) is resolved again. */
function sourceIdentity(reference: ImageReference): string | null {
  if (reference.transport === 'registry') return null
  const path = reference.transport === 'oci' ? join(reference.path, 'index.json') : reference.path
  try {
    const s = statSync(path)
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}`
  } catch (cause) {
    const what = reference.transport === 'oci' ? ' (not an OCI image layout?)' : ''
    throw new ImageError('TESTCELL_IMAGE', `${reference.text}: cannot read ${path}${what}: ${(cause as NodeJS.ErrnoException).code ?? cause}`, { cause })
  }
}
