import { ImageError } from '../errors.js'
import type { Descriptor, Platform } from './image.js'

const ARCH: Partial<Record<string, string>> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
}

/** This host's platform in OCI terms (`linux/amd64`, `linux/arm64/v8`, ...). */
export function hostPlatform(arch: string = process.arch): Platform {
  const architecture = ARCH[arch] ?? arch
  if (architecture === 'arm') {
    const version = (process.config.variables as Record<string, unknown>).arm_version
    return { os: 'linux', architecture, variant: `v${version ?? 7}` }
  }
  return architecture === 'arm64' ? { os: 'linux', architecture, variant: 'v8' } : { os: 'linux', architecture }
}

export function formatPlatform(p: Platform | undefined): string {
  return p ? [p.os, p.architecture, p.variant].filter(Boolean).join('/') : 'unknown'
}

/** Attestations (BuildKit provenance, SBOMs) sit in indexes beside the images; they are not platforms. */
export function isAttestation(d: Descriptor): boolean {
  return d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' || (d.platform?.os === 'unknown' && d.platform.architecture === 'unknown')
}

function matches(candidate: Platform | undefined, wanted: Platform): boolean {
  if (!candidate || candidate.os !== wanted.os || candidate.architecture !== wanted.architecture) return false
  // arm64 images often omit their variant (v8 is implied); a stated one must agree.
  return !candidate.variant || !wanted.variant || candidate.variant === wanted.variant
}

/**
 * The entry of an index for `wanted`, among those `usable` says are present. Throws naming the platforms
 * the image does have when none fits.
 */
export function selectPlatform(manifests: readonly Descriptor[], wanted: Platform, where: string, usable: (d: Descriptor) => boolean = () => true): Descriptor {
  const images = manifests.filter((d) => !isAttestation(d))
  const present = images.filter(usable)
  const exact = present.find((d) => matches(d.platform, wanted) && d.platform?.variant === wanted.variant)
  const found = exact ?? present.find((d) => matches(d.platform, wanted))
  if (found) return found
  const listed = images.filter((d) => matches(d.platform, wanted))
  const available = present.map((d) => formatPlatform(d.platform))
  const missing = listed.length > 0 ? ` (it is listed, but its blobs are not in ${where})` : ''
  throw new ImageError(
    'TESTCELL_IMAGE',
    `${where} has no image for this host's platform ${formatPlatform(wanted)}${missing}; available: ${available.length ? available.join(', ') : 'none'}`,
  )
}
