import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ImageError } from '../errors.js'
import type { ImageStore } from '../store/store.js'
import { readArchive } from './archive.js'
import { archiveBlobs } from './archive-source.js'
import type { BlobSource } from './blob-source.js'
import { resolveDockerArchive } from './docker-archive.js'
import type { Platform, ResolvedImage } from './image.js'
import { type OciIndex, resolveLayout } from './oci-layout.js'
import type { ImageReference } from './reference.js'

type LocalReference = Extract<ImageReference, { transport: 'oci' | 'oci-archive' | 'docker-archive' }>

/** Resolves an image held in a local directory or archive file. */
export async function resolveLocal(reference: LocalReference, store: ImageStore, platform: Platform): Promise<ResolvedImage> {
  if (reference.transport === 'oci') {
    const source = directoryBlobs(reference.path, reference.text)
    return resolveLayout(source, readIndex(reference.path, reference.text), reference.ref, platform)
  }
  const scratch = store.tmpDir('archive')
  const dispose = () => store.removeScratch(scratch)
  try {
    const archive = await readArchive(reference.path, scratch, reference.text)
    let image: ResolvedImage
    if (reference.transport === 'oci-archive') {
      if (!archive.has('index.json')) throw new ImageError('TESTCELL_IMAGE', `${reference.text} is not an OCI image layout archive: it has no index.json`)
      image = resolveLayout(archiveBlobs(archive), archive.json<OciIndex>('index.json'), reference.ref, platform)
    } else {
      image = resolveDockerArchive(archive, reference.ref, platform)
    }
    return { ...image, dispose }
  } catch (error) {
    dispose()
    throw error
  }
}

function readIndex(dir: string, where: string): OciIndex {
  const file = join(dir, 'index.json')
  if (!existsSync(file)) throw new ImageError('TESTCELL_IMAGE', `${where} is not an OCI image layout: ${file} does not exist`)
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as OciIndex
  } catch (cause) {
    throw new ImageError('TESTCELL_IMAGE', `${where}: ${file} is not valid JSON`, { cause })
  }
}

function directoryBlobs(dir: string, where: string): BlobSource {
  return {
    where,
    path: (digest) => {
      const path = join(dir, 'blobs', digest.replace(':', '/'))
      return existsSync(path) ? path : null
    },
  }
}
