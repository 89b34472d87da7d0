import { createHash, type Hash } from 'node:crypto'
import { createReadStream, statSync } from 'node:fs'
import { Transform, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { Parser } from 'tar'
import { ImageError } from '../errors.js'
import { type ApplyStats, LayerApplier, type OwnerMode } from './applier.js'
import { decompressor, sniffFile } from './decompress.js'

export interface LayerBlob {
  /** A local file holding the blob (compressed or not). */
  file: string
  /** How errors name it: its digest, or the file for a plain rootfs tarball. */
  name: string
  /** Expected `sha256:…` of the file, checked when given. */
  digest?: string
  /** Expected size in bytes, checked when given. */
  size?: number
  /** Expected `sha256:…` of the uncompressed tar (the config's diff_id), checked when given. */
  diffId?: string
}

export interface ExtractOptions {
  owner: OwnerMode
  lowers: readonly string[]
}

export interface Extracted extends ApplyStats {
  diffId: string
}

/** A decompressed layer may be at most this many times its blob, and past this floor: beyond is a bomb. */
export const MAX_EXPANSION_RATIO = 100
export const EXPANSION_FLOOR_BYTES = 64 * 1024 * 1024

/**
 * Streams one layer blob into `into` (an empty private directory): digest and size of the blob and the
 * diff_id of the tar are computed on the way and compared at the end; any difference, truncation, parse
 * error or decompression bomb throws an ImageError naming the blob. The caller publishes only on success.
 */
export async function extractLayer(blob: LayerBlob, into: string, options: ExtractOptions): Promise<Extracted> {
  const size = statSync(blob.file).size
  const limit = Math.max(EXPANSION_FLOOR_BYTES, size * MAX_EXPANSION_RATIO)
  const digest = createHash('sha256')
  const diff = createHash('sha256')
  const applier = new LayerApplier({ root: into, owner: options.owner, lowers: options.lowers, blob: blob.name })
  let parseError: Error | null = null
  const parser = new Parser({
    onReadEntry: (entry) => applier.entry(entry),
    onwarn: (code: string, message: string | Error) => {
      if (code !== 'TAR_ENTRY_INFO') parseError ??= new Error(`${code}: ${message instanceof Error ? message.message : message}`)
    },
  })
  const ended = new Promise<void>((resolve) => parser.on('end', () => resolve()))
  let decompressed = 0
  // An uncompressed blob's digest is its diff_id: hashed once.
  const compression = sniffFile(blob.file)
  const unzip = decompressor(compression, blob.name)
  const stages = [
    createReadStream(blob.file, { highWaterMark: 1 << 20 }),
    ...(unzip ? [hashing(digest), unzip] : []),
    hashing(diff, (n) => {
      decompressed += n
      if (decompressed > limit) {
        return new ImageError(
          'TESTCELL_IMAGE_LAYER',
          `layer ${blob.name} expands past ${limit} bytes (${MAX_EXPANSION_RATIO}x its ${size}-byte blob): refused as a decompression bomb`,
          {
            blob: blob.name,
          },
        )
      }
      return null
    }),
    new Writable({
      highWaterMark: 1 << 20,
      write(chunk: Buffer, _encoding, done) {
        parser.write(chunk)
        done(applier.error ?? parseError ?? undefined)
      },
      final(done) {
        parser.end()
        ended.then(() => done(applier.error ?? parseError ?? undefined), done)
      },
    }),
  ]
  try {
    await pipeline(stages)
    applier.finish()
  } catch (error) {
    try {
      applier.close()
    } catch {
      // already closed by finish()
    }
    // A blob that fails to decompress or parse is usually an altered or truncated one: say so when it is.
    if (blob.digest && !(error instanceof ImageError)) check(blob, 'digest', await fileDigest(blob.file), blob.digest)
    throw asLayerError(error, blob)
  }
  check(blob, 'size', size, blob.size)
  const diffId = `sha256:${diff.digest('hex')}`
  check(blob, 'digest', unzip ? `sha256:${digest.digest('hex')}` : diffId, blob.digest)
  check(blob, 'diff_id', diffId, blob.diffId)
  return { diffId, ...applier.stats }
}

async function fileDigest(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer)
  return `sha256:${hash.digest('hex')}`
}

function hashing(hash: Hash, onBytes?: (n: number) => Error | null): Transform {
  return new Transform({
    highWaterMark: 1 << 20,
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk)
      done(onBytes?.(chunk.length) ?? undefined, chunk)
    },
  })
}

function check(blob: LayerBlob, what: string, actual: string | number, expected: string | number | undefined): void {
  if (expected === undefined || actual === expected) return
  throw new ImageError('TESTCELL_IMAGE_LAYER', `layer ${blob.name}: ${what} mismatch: expected ${expected}, got ${actual} (truncated or altered blob)`, {
    blob: blob.name,
  })
}

function asLayerError(error: unknown, blob: LayerBlob): ImageError {
  if (error instanceof ImageError) return error
  const message = (error as Error).message
  return new ImageError('TESTCELL_IMAGE_LAYER', `layer ${blob.name} cannot be read: ${message}`, { cause: error, blob: blob.name })
}
