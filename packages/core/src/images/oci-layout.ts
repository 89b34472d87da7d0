import { ImageError } from '../errors.js'
import type { LayerBlob } from '../layers/extract-layer.js'
import { type BlobSource, checkDigest, readJsonBlob } from './blob-source.js'
import type { Descriptor, ImageConfig, Platform, ResolvedImage, ResolvedLayer } from './image.js'
import { DOCKER_SCHEMA1, isIndex, isLayerType, isManifest } from './media-types.js'
import { isAttestation, selectPlatform } from './platform.js'

export interface OciIndex {
  schemaVersion?: number
  mediaType?: string
  manifests?: Descriptor[] | null
}

export interface OciManifest {
  schemaVersion?: number
  mediaType?: string
  config?: Descriptor
  layers?: Descriptor[]
}

const REF_NAME = 'org.opencontainers.image.ref.name'
const CONTAINERD_NAME = 'io.containerd.image.name'

/** The descriptor `index.json` names for `ref` (or its only image); throws listing the refs there are. */
export function pickTopLevel(index: OciIndex, ref: string | null, where: string): Descriptor {
  const entries = (index.manifests ?? []).filter((d) => !isAttestation(d))
  if (entries.length === 0) throw new ImageError('TESTCELL_IMAGE', `${where}: index.json lists no image`)
  const refs = entries.map((d) => d.annotations?.[REF_NAME]).filter((r): r is string => typeof r === 'string')
  if (ref !== null) {
    const found = entries.find((d) => d.annotations?.[REF_NAME] === ref || d.annotations?.[CONTAINERD_NAME] === ref)
    if (found) return found
    throw new ImageError(
      'TESTCELL_IMAGE',
      `${where} has no image named ${JSON.stringify(ref)}; it has ${refs.length ? refs.map((r) => JSON.stringify(r)).join(', ') : 'no named images'}`,
    )
  }
  if (entries.length === 1) return entries[0]!
  // An index.json whose entries are one image per platform works like an image index.
  if (entries.every((d) => d.platform && !d.annotations?.[REF_NAME])) return { mediaType: 'application/vnd.oci.image.index.v1+json', digest: '', size: 0 }
  throw new ImageError(
    'TESTCELL_IMAGE',
    `${where} holds ${entries.length} images: name one as ${where}:REF (refs: ${refs.map((r) => JSON.stringify(r)).join(', ') || 'none'})`,
  )
}

/** Follows index → (nested index)* → manifest → config and layers, verifying every blob it reads. */
export function resolveLayout(source: BlobSource, index: OciIndex, ref: string | null, platform: Platform): ResolvedImage {
  let descriptor = pickTopLevel(index, ref, source.where)
  let children = descriptor.digest === '' ? (index.manifests ?? []) : null
  for (let depth = 0; depth < 8; depth++) {
    if (children) {
      descriptor = selectPlatform(children, platform, source.where, (d) => source.path(checkDigest(d.digest, source.where)) !== null)
      children = null
      continue
    }
    if (isIndex(descriptor.mediaType)) {
      children = readJsonBlob<OciIndex>(source, descriptor, 'image index').manifests ?? []
      continue
    }
    if (isManifest(descriptor.mediaType)) return fromManifest(source, descriptor)
    if (DOCKER_SCHEMA1.includes(descriptor.mediaType))
      throw new ImageError('TESTCELL_IMAGE', `${source.where}: Docker schema 1 manifests are not supported (deprecated since 2017); re-push the image`)
    throw new ImageError('TESTCELL_IMAGE', `${source.where}: ${descriptor.digest} has media type ${descriptor.mediaType}, not an image manifest or index`)
  }
  throw new ImageError('TESTCELL_IMAGE', `${source.where}: image indexes nested too deep`)
}

function fromManifest(source: BlobSource, descriptor: Descriptor): ResolvedImage {
  const manifest = readJsonBlob<OciManifest>(source, descriptor, 'manifest')
  return imageFromManifest(
    manifest,
    descriptor.digest,
    source.where,
    (d, what) => readJsonBlob(source, d, what),
    (layer, diffId) => ({
      file: blobPath(source, layer.digest),
      name: layer.digest,
      digest: layer.digest,
      size: layer.size,
      diffId,
    }),
  )
}

function blobPath(source: BlobSource, digest: string): string {
  const path = source.path(digest)
  if (!path) throw new ImageError('TESTCELL_IMAGE', `${source.where}: layer ${digest} is missing`, { blob: digest })
  return path
}

/** A manifest's config and layers; shared by local layouts and registry pulls. */
export function imageFromManifest(
  manifest: OciManifest,
  manifestDigest: string,
  where: string,
  readConfig: (d: Descriptor, what: string) => ImageConfig,
  locate: (layer: Descriptor, diffId: string) => LayerBlob | Promise<LayerBlob>,
): ResolvedImage {
  if (!manifest.config || !Array.isArray(manifest.layers))
    throw new ImageError('TESTCELL_IMAGE', `${where}: manifest ${manifestDigest} has no config or layers`)
  const config = readConfig(manifest.config, 'config')
  const diffIds = config.rootfs?.diff_ids ?? []
  if (diffIds.length !== manifest.layers.length) {
    throw new ImageError(
      'TESTCELL_IMAGE',
      `${where}: manifest ${manifestDigest} has ${manifest.layers.length} layers but its config lists ${diffIds.length} diff_ids`,
    )
  }
  const layers: ResolvedLayer[] = manifest.layers.map((layer, i) => {
    if (!isLayerType(layer.mediaType))
      throw new ImageError('TESTCELL_IMAGE', `${where}: layer ${layer.digest} has media type ${layer.mediaType}, not a tar layer`)
    const digest = checkDigest(layer.digest, where)
    const diffId = checkDigest(diffIds[i], where)
    return { digest, diffId, blob: async () => locate(layer, diffId) }
  })
  return { manifestDigest, config, layers, dispose: () => {} }
}
