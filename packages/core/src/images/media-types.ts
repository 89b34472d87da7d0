export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json'
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json'
export const DOCKER_SCHEMA1 = ['application/vnd.docker.distribution.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v1+prettyjws']

/** What a manifest request accepts; distribution 2.8 answers 404 for an OCI index when it is not listed. */
export const MANIFEST_ACCEPT = [OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST]

export const isIndex = (mediaType: string | undefined): boolean => mediaType === OCI_INDEX || mediaType === DOCKER_LIST
export const isManifest = (mediaType: string | undefined): boolean => mediaType === OCI_MANIFEST || mediaType === DOCKER_MANIFEST

/** Layer media types testcell can extract (compression is sniffed from the bytes anyway). */
export function isLayerType(mediaType: string): boolean {
  return (
    /^application\/vnd\.oci\.image\.layer\.(nondistributable\.)?v1\.tar(\+gzip|\+zstd)?$/.test(mediaType) ||
    /^application\/vnd\.docker\.image\.rootfs\.(foreign\.)?diff\.tar(\.gzip)?$/.test(mediaType)
  )
}
