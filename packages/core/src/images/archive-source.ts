import { ImageError } from '../errors.js'
import type { Archive } from './archive.js'
import type { BlobSource } from './blob-source.js'

/** The blobs of an OCI layout inside an archive (`blobs/sha256/<hex>`), checked against the spooled hash. */
export function archiveBlobs(archive: Archive): BlobSource {
  return {
    where: archive.where,
    path(digest) {
      const member = archive.resolve(`blobs/${digest.replace(':', '/')}`)
      if (!member) return null
      if (member.digest !== digest) {
        throw new ImageError('TESTCELL_IMAGE_LAYER', `${archive.where}: blob ${digest}: digest mismatch: got ${member.digest} (altered blob)`, { blob: digest })
      }
      return member.path
    },
  }
}
