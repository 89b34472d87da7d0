import { describe, expect, it } from 'vitest'
import type { Descriptor } from './image.js'
import { hostPlatform, selectPlatform } from './platform.js'

const d = (architecture: string, extra: Partial<Descriptor> = {}): Descriptor => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${architecture.padEnd(64, '0')}`,
  size: 1,
  platform: { os: 'linux', architecture },
  ...extra,
})

describe('platforms', () => {
  it('maps Node arches to OCI ones', () => {
    expect(hostPlatform('x64')).toEqual({ os: 'linux', architecture: 'amd64' })
    expect(hostPlatform('arm64')).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' })
  })
  it('platform-select: picks the host platform, skipping attestations', () => {
    const attestation = d('unknown', {
      platform: { os: 'unknown', architecture: 'unknown' },
      annotations: { 'vnd.docker.reference.type': 'attestation-manifest' },
    })
    expect(selectPlatform([attestation, d('arm64'), d('amd64')], { os: 'linux', architecture: 'amd64' }, 'img').platform?.architecture).toBe('amd64')
    expect(selectPlatform([d('arm64')], { os: 'linux', architecture: 'arm64', variant: 'v8' }, 'img').platform?.architecture).toBe('arm64')
  })
  it('platform-missing-lists-available', () => {
    expect(() => selectPlatform([d('arm64'), d('amd64')], { os: 'linux', architecture: 'riscv64' }, 'img')).toThrow(
      "img has no image for this host's platform linux/riscv64; available: linux/arm64, linux/amd64",
    )
  })
})
