// Writes crafted OCI image layouts (and their archive forms) from layer tars, for the pitfall tests.
import { createHash } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

export const sha256 = (data: Buffer | string): string => `sha256:${createHash('sha256').update(data).digest('hex')}`

export interface CraftedImage {
  manifestDigest: string
  configDigest: string
  layerDigests: string[]
  diffIds: string[]
}

export interface CraftOptions {
  architecture?: string
  env?: string[]
  /** gzip the layers (default true). */
  gzip?: boolean
  /** Override a layer's diff_id in the config (digest-mismatch tests). */
  diffIds?: (string | undefined)[]
  ref?: string
}

/** Adds an image made of `layers` (uncompressed tars, bottom first) to the OCI layout in `dir`. */
export function writeImage(dir: string, layers: readonly Buffer[], options: CraftOptions = {}): CraftedImage {
  mkdirSync(join(dir, 'blobs/sha256'), { recursive: true })
  const blob = (data: Buffer | string): { digest: string; size: number } => {
    const digest = sha256(data)
    writeFileSync(join(dir, 'blobs', digest.replace(':', '/')), data)
    return { digest, size: Buffer.byteLength(data) }
  }
  const diffIds = layers.map((l, i) => options.diffIds?.[i] ?? sha256(l))
  const gzip = options.gzip ?? true
  const layerBlobs = layers.map((l) => blob(gzip ? gzipSync(l) : l))
  const config = blob(
    JSON.stringify({
      architecture: options.architecture ?? hostArch(),
      os: 'linux',
      config: { Env: options.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] },
      rootfs: { type: 'layers', diff_ids: diffIds },
    }),
  )
  const manifest = blob(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: layerBlobs.map((b) => ({ mediaType: `application/vnd.oci.image.layer.v1.tar${gzip ? '+gzip' : ''}`, ...b })),
    }),
  )
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}')
  const annotations = options.ref ? { 'org.opencontainers.image.ref.name': options.ref } : undefined
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, ...(annotations ? { annotations } : {}) }],
    }),
  )
  return { manifestDigest: manifest.digest, configDigest: config.digest, layerDigests: layerBlobs.map((b) => b.digest), diffIds }
}

export function hostArch(): string {
  return ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch] ?? process.arch
}
