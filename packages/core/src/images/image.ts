import type { LayerBlob } from '../layers/extract-layer.js'

/** An OCI descriptor as found in indexes and manifests. */
export interface Descriptor {
  mediaType: string
  digest: string
  size: number
  platform?: Platform
  annotations?: Record<string, string>
  urls?: string[]
}

export interface Platform {
  os: string
  architecture: string
  variant?: string
}

/** The parts of an image config testcell uses. */
export interface ImageConfig {
  architecture?: string
  os?: string
  variant?: string
  config?: { Env?: string[] | null; WorkingDir?: string }
  rootfs?: { type: string; diff_ids: string[] }
}

export interface ResolvedLayer {
  /** The blob's digest when the format names it (legacy docker save does not). */
  digest: string | null
  diffId: string
  /** Fetches (or locates) the blob; called only when the layer is not in the store yet. */
  blob(): Promise<LayerBlob>
}

/** An image resolved down to its config and layers, bottom first. */
export interface ResolvedImage {
  manifestDigest: string | null
  config: ImageConfig
  layers: ResolvedLayer[]
  /** Removes scratch files (spooled archive members, downloads); idempotent. */
  dispose(): void
}
