import type { Platform, ResolvedImage } from '../images/image.js'
import type { ImageStore } from '../store/store.js'
import type { RegistryReference } from './reference.js'

export async function pullImage(_reference: RegistryReference, _store: ImageStore, _platform: Platform): Promise<ResolvedImage> {
  throw new Error('not yet')
}
