import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { ImageError } from '../errors.js'
import type { Descriptor } from './image.js'

/** Where the blobs of an image layout are: a directory, or the spooled members of an archive. */
export interface BlobSource {
  /** How messages name it (`oci:/path`, `docker-archive:/file`). */
  where: string
  /** A local file holding the blob, or null when the layout does not have it. */
  path(digest: string): string | null
}

const SHA256 = /^sha256:[0-9a-f]{64}$/
/** Manifests, indexes and configs are small; a larger one is not what it claims to be. */
const MAX_JSON_BYTES = 4 * 1024 * 1024

export function checkDigest(digest: unknown, where: string): string {
  if (typeof digest === 'string' && SHA256.test(digest)) return digest
  throw new ImageError('TESTCELL_IMAGE', `${where}: unsupported or malformed digest ${JSON.stringify(digest)} (only sha256 is supported)`)
}

/** Reads a JSON blob, checking its size and digest first. */
export function readJsonBlob<T>(source: BlobSource, descriptor: Pick<Descriptor, 'digest' | 'size'>, what: string): T {
  const digest = checkDigest(descriptor.digest, source.where)
  const path = source.path(digest)
  if (!path) throw new ImageError('TESTCELL_IMAGE', `${source.where}: the ${what} ${digest} is missing`, { blob: digest })
  const data = readFileSync(path)
  return parseVerifiedJson<T>(data, { digest, size: descriptor.size }, `${source.where}: ${what} ${digest}`)
}

export function parseVerifiedJson<T>(data: Buffer, expected: { digest: string; size?: number }, name: string): T {
  if (data.length > MAX_JSON_BYTES)
    throw new ImageError('TESTCELL_IMAGE_LAYER', `${name} is ${data.length} bytes: too large for a manifest or config`, { blob: expected.digest })
  if (typeof expected.size === 'number' && data.length !== expected.size) {
    throw new ImageError('TESTCELL_IMAGE_LAYER', `${name}: size mismatch: expected ${expected.size}, got ${data.length} (truncated or altered blob)`, {
      blob: expected.digest,
    })
  }
  const actual = `sha256:${createHash('sha256').update(data).digest('hex')}`
  if (actual !== expected.digest) {
    throw new ImageError('TESTCELL_IMAGE_LAYER', `${name}: digest mismatch: got ${actual} (altered blob)`, { blob: expected.digest })
  }
  try {
    return JSON.parse(data.toString('utf8')) as T
  } catch (cause) {
    throw new ImageError('TESTCELL_IMAGE', `${name} is not valid JSON`, { cause, blob: expected.digest })
  }
}
