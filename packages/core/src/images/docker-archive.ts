import { readFileSync } from 'node:fs'
import { ImageError } from '../errors.js'
import { parseRegistryReference } from '../registry/reference.js'
import type { Archive } from './archive.js'
import { archiveBlobs } from './archive-source.js'
import { checkDigest, parseVerifiedJson } from './blob-source.js'
import type { ImageConfig, Platform, ResolvedImage } from './image.js'
import { type OciIndex, resolveLayout } from './oci-layout.js'
import { formatPlatform } from './platform.js'

interface SaveManifestEntry {
  Config: string
  RepoTags?: string[] | null
  Layers: string[]
}

/**
 * `docker save` output. Docker >= 25 writes an OCI layout (preferred when no REF is named, so a
 * multi-platform save from the containerd store picks the host's platform among those it holds); every
 * form has `manifest.json` (legacy layout, skopeo's docker-archive), used for REF and as the fallback.
 */
export function resolveDockerArchive(archive: Archive, ref: string | null, platform: Platform): ResolvedImage {
  let ociError: unknown = null
  if (ref === null && archive.has('index.json') && archive.has('oci-layout')) {
    try {
      return resolveLayout(archiveBlobs(archive), archive.json<OciIndex>('index.json'), null, platform)
    } catch (error) {
      if (!archive.has('manifest.json')) throw error
      ociError = error
    }
  }
  if (!archive.has('manifest.json')) throw new ImageError('TESTCELL_IMAGE', `${archive.where} is not a docker save archive: it has no manifest.json`)
  try {
    return fromSaveManifest(archive, ref, platform)
  } catch (error) {
    throw ociError ?? error
  }
}

function fromSaveManifest(archive: Archive, ref: string | null, platform: Platform): ResolvedImage {
  const entries = archive.json<SaveManifestEntry[]>('manifest.json')
  if (!Array.isArray(entries) || entries.length === 0) throw new ImageError('TESTCELL_IMAGE', `${archive.where}: manifest.json lists no image`)
  const entry = ref === null ? only(entries, archive.where) : byTag(entries, ref, archive.where)
  const config = readConfig(archive, entry.Config)
  const arch = config.architecture
  if (arch && arch !== platform.architecture) {
    throw new ImageError(
      'TESTCELL_IMAGE',
      `${archive.where} holds a ${formatPlatform({ os: config.os ?? 'linux', architecture: arch })} image; this host is ${formatPlatform(platform)}`,
    )
  }
  const diffIds = config.rootfs?.diff_ids ?? []
  if (diffIds.length !== entry.Layers.length) {
    throw new ImageError('TESTCELL_IMAGE', `${archive.where}: manifest.json lists ${entry.Layers.length} layers but the config has ${diffIds.length} diff_ids`)
  }
  return {
    manifestDigest: null,
    config,
    layers: entry.Layers.map((name, i) => {
      const diffId = checkDigest(diffIds[i], archive.where)
      return {
        digest: null,
        diffId,
        blob: async () => {
          const member = archive.resolve(name)
          if (!member) throw new ImageError('TESTCELL_IMAGE', `${archive.where}: layer ${name} is missing`, { blob: diffId })
          return { file: member.path, name: `${diffId} (${name})`, diffId }
        },
      }
    }),
    dispose: () => {},
  }
}

function readConfig(archive: Archive, name: string): ImageConfig {
  const member = archive.resolve(name)
  if (!member) throw new ImageError('TESTCELL_IMAGE', `${archive.where}: config ${name} is missing`)
  // Legacy configs are named <hex>.json after their digest; OCI-form ones blobs/sha256/<hex>.
  const hex = /([0-9a-f]{64})(\.json)?$/.exec(name)?.[1]
  const data = readFileSync(member.path)
  return hex
    ? parseVerifiedJson<ImageConfig>(data, { digest: `sha256:${hex}` }, `${archive.where}: config ${name}`)
    : (JSON.parse(data.toString()) as ImageConfig)
}

function only(entries: SaveManifestEntry[], where: string): SaveManifestEntry {
  if (entries.length === 1) return entries[0]!
  const tags = entries.flatMap((e) => e.RepoTags ?? [])
  throw new ImageError('TESTCELL_IMAGE', `${where} holds ${entries.length} images: name one as docker-archive:FILE:REF (tags: ${tags.join(', ') || 'none'})`)
}

function byTag(entries: SaveManifestEntry[], ref: string, where: string): SaveManifestEntry {
  const canonical = (tag: string) => {
    const parsed = parseRegistryReference(tag)
    return typeof parsed === 'string' ? tag : parsed.canonical
  }
  const wanted = canonical(ref)
  const found = entries.find((e) => (e.RepoTags ?? []).some((t) => canonical(t) === wanted))
  if (found) return found
  throw new ImageError('TESTCELL_IMAGE', `${where} has no image tagged ${ref}; tags: ${entries.flatMap((e) => e.RepoTags ?? []).join(', ') || 'none'}`)
}
