import { pullImage } from '../registry/pull.js'
import type { RegistryReference } from '../registry/reference.js'
import type { ImageStore } from '../store/store.js'
import type { Platform, ResolvedImage } from './image.js'

/** Resolves a registry image; its layer blobs are downloaded (and verified) only when the store lacks them. */
export function resolveRegistry(reference: RegistryReference, store: ImageStore, platform: Platform): Promise<ResolvedImage> {
  return pullImage(reference, store, platform)
}
