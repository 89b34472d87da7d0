import { createHash } from 'node:crypto'
import { closeSync, openSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { ImageError } from '../errors.js'
import { checkDigest, parseVerifiedJson } from '../images/blob-source.js'
import type { Descriptor, ImageConfig, Platform, ResolvedImage } from '../images/image.js'
import { DOCKER_SCHEMA1, isIndex, isManifest, MANIFEST_ACCEPT } from '../images/media-types.js'
import { imageFromManifest, type OciIndex, type OciManifest } from '../images/oci-layout.js'
import { selectPlatform } from '../images/platform.js'
import type { ImageStore } from '../store/store.js'
import { RegistryClient } from './client.js'
import type { RegistryReference } from './reference.js'

const MAX_MANIFEST_BYTES = 4 * 1024 * 1024

/**
 * Resolves a registry image: manifest (or index, then the host platform's manifest) and config are fetched
 * and verified now; layer blobs are downloaded into the store's scratch space, checked against their
 * digest and size, only when the store asks for them.
 */
export async function pullImage(reference: RegistryReference, store: ImageStore, platform: Platform): Promise<ResolvedImage> {
  const client = new RegistryClient(reference)
  let { body, digest, mediaType } = await fetchManifest(client, reference.digest ?? reference.tag ?? 'latest', reference.digest)
  for (let depth = 0; isIndex(mediaType); depth++) {
    if (depth > 4) throw new ImageError('TESTCELL_IMAGE', `${reference.canonical}: image indexes nested too deep`)
    const index = body as OciIndex
    const chosen = selectPlatform(index.manifests ?? [], platform, reference.canonical)
    ;({ body, digest, mediaType } = await fetchManifest(client, chosen.digest, chosen.digest))
  }
  if (DOCKER_SCHEMA1.includes(mediaType))
    throw new ImageError('TESTCELL_IMAGE', `${reference.canonical}: Docker schema 1 manifests are not supported; re-push the image`)
  if (!isManifest(mediaType)) throw new ImageError('TESTCELL_IMAGE', `${reference.canonical}: ${digest} is a ${mediaType}, not an image manifest`)
  const manifest = body as OciManifest
  const config = await fetchJsonBlob<ImageConfig>(client, manifest.config!, 'config')
  const scratch = store.tmpDir('pull')
  const image = imageFromManifest(
    manifest,
    digest,
    reference.canonical,
    () => config,
    async (layer, diffId) => ({ file: await download(client, layer, scratch), name: layer.digest, digest: layer.digest, size: layer.size, diffId }),
  )
  return { ...image, dispose: () => store.removeScratch(scratch) }
}

async function fetchManifest(client: RegistryClient, ref: string, expected: string | null): Promise<{ body: unknown; digest: string; mediaType: string }> {
  const response = await client.get(`manifests/${ref}`, MANIFEST_ACCEPT, `manifest ${ref}`)
  const data = await readCapped(response, MAX_MANIFEST_BYTES, `manifest ${ref}`)
  const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`
  const claimed = response.headers.get('docker-content-digest')
  const want = expected ?? (claimed?.startsWith('sha256:') ? claimed : null)
  if (want && want !== digest) {
    throw new ImageError('TESTCELL_IMAGE_LAYER', `${client.reference.canonical}: manifest ${ref}: digest mismatch: expected ${want}, got ${digest}`, {
      blob: want,
    })
  }
  let body: { mediaType?: string; schemaVersion?: number }
  try {
    body = JSON.parse(data.toString('utf8'))
  } catch (cause) {
    throw new ImageError('TESTCELL_IMAGE', `${client.reference.canonical}: manifest ${ref} is not JSON`, { cause })
  }
  const mediaType = body.mediaType ?? response.headers.get('content-type')?.split(';')[0] ?? ''
  if (body.schemaVersion === 1) return { body, digest, mediaType: DOCKER_SCHEMA1[0]! }
  return { body, digest, mediaType }
}

async function fetchJsonBlob<T>(client: RegistryClient, descriptor: Descriptor, what: string): Promise<T> {
  const digest = checkDigest(descriptor.digest, client.reference.canonical)
  const response = await client.get(`blobs/${digest}`, ['application/json', '*/*'], `${what} ${digest}`)
  const data = await readCapped(response, MAX_MANIFEST_BYTES, `${what} ${digest}`)
  return parseVerifiedJson<T>(data, { digest, size: descriptor.size }, `${client.reference.canonical}: ${what} ${digest}`)
}

async function readCapped(response: Response, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of response.body ?? []) {
    size += chunk.length
    if (size > limit) throw new ImageError('TESTCELL_IMAGE', `${what} is larger than ${limit} bytes: refused`)
    chunks.push(Buffer.from(chunk))
  }
  return Buffer.concat(chunks)
}

/** Downloads a layer blob, refusing more bytes than its descriptor states; digest and size are checked on extraction. */
async function download(client: RegistryClient, layer: Descriptor, dir: string): Promise<string> {
  const digest = checkDigest(layer.digest, client.reference.canonical)
  const response = await client.get(`blobs/${digest}`, ['*/*'], `layer ${digest}`)
  const file = join(dir, digest.replace(':', '-'))
  const fd = openSync(file, 'wx', 0o600)
  let size = 0
  try {
    for await (const chunk of response.body ?? []) {
      size += chunk.length
      if (size > layer.size) {
        throw new ImageError('TESTCELL_IMAGE_LAYER', `layer ${digest}: the registry sent more than the ${layer.size} bytes its descriptor states`, {
          blob: digest,
        })
      }
      writeSync(fd, chunk)
    }
  } catch (cause) {
    if (cause instanceof ImageError) throw cause
    throw new ImageError('TESTCELL_IMAGE_LAYER', `layer ${digest}: download interrupted after ${size} of ${layer.size} bytes: ${(cause as Error).message}`, {
      cause,
      blob: digest,
    })
  } finally {
    closeSync(fd)
  }
  return file
}
