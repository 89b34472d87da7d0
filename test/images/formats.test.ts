// Every image transport, on fixtures made by umoci and skopeo (and crafted where no tool here writes the form).
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, inject, it } from 'vitest'
import { ImageError } from '../../packages/core/src/errors.js'
import { prepareImage } from '../../packages/core/src/images/prepare.js'
import { parseImageReference } from '../../packages/core/src/images/reference.js'
import { ImageStore } from '../../packages/core/src/store/store.js'
import { busyboxLayer } from './lib/busybox.js'
import { craftImage, inImage, scratch, useStore } from './lib/helpers.js'
import { hostArch, sha256, writeImage } from './lib/oci.js'
import { tar } from './lib/tar-writer.js'

const store = useStore()
const f = inject('fixtures')
const TOP_VIEW = 'cat /etc/os-release | head -1; cat /etc/added; test -e /etc/deleteme || echo deleted; ls /opqdir'
const TOP_EXPECTED = 'NAME="testcell busybox"\nadded in top\ndeleted\nkeep\n'

async function prepare(reference: string) {
  const image = await prepareImage(parseImageReference(reference))
  image.release()
  return image
}

async function failure(reference: string): Promise<ImageError> {
  try {
    await prepare(reference)
  } catch (error) {
    if (error instanceof ImageError) return error
    throw error
  }
  throw new Error(`${reference} was accepted`)
}

describe('transports', () => {
  it('oci:DIR:REF (umoci layers: a file whiteout, a removed directory)', async () => {
    expect((await inImage(`oci:${f.oci}:top`, TOP_VIEW)).stdout).toBe(TOP_EXPECTED)
  })

  it('oci-archive:FILE:REF', async () => {
    expect((await inImage(`oci-archive:${f.ociArchive}:top`, TOP_VIEW)).stdout).toBe(TOP_EXPECTED)
  })

  it('docker-save-legacy-symlinked-layer.tar', async () => {
    expect((await inImage(`docker-archive:${f.dockerLegacy}`, TOP_VIEW)).stdout).toBe(TOP_EXPECTED)
  })

  it('docker-save-oci-v25', async () => {
    expect((await inImage(`docker-archive:${f.dockerV25}`, TOP_VIEW)).stdout).toBe(TOP_EXPECTED)
    expect((await inImage(`docker-archive:${f.dockerV25}:testcell/busybox:top`, 'cat /etc/added')).stdout).toBe('added in top\n')
  })

  it('docker-save-containerd-partial-index', async () => {
    // The nested index lists two platforms; only this host's has blobs in the archive, and it is chosen.
    expect((await inImage(`docker-archive:${f.dockerPartial}`, 'cat /etc/added')).stdout).toBe('added in top\n')
  })

  it('rootfs:FILE as .tar, .tar.gz and .tar.zst (told by magic bytes, whatever the name)', async () => {
    using tmp = scratch()
    const mislabeled = join(tmp.dir, 'rootfs.tar')
    copyFileSync(f.rootfs.zst, mislabeled)
    for (const file of [f.rootfs.tar, f.rootfs.gz, f.rootfs.zst, mislabeled]) {
      expect((await inImage(`rootfs:${file}`, 'cat /etc/os-release')).stdout).toMatch(/testcell busybox/)
    }
  })

  it('zstd layers (skopeo --dest-compress-format zstd)', async () => {
    expect((await inImage(`oci:${f.ociZstd}:top`, TOP_VIEW)).stdout).toBe(TOP_EXPECTED)
  })

  it('platform-select: a multi-arch index gives this host its own platform', async () => {
    const image = await prepare(`oci:${f.oci}:multi`)
    expect(image.record.platform.architecture).toBe(hostArch())
  })

  it('platform-missing-lists-available', async () => {
    using tmp = scratch()
    const other = hostArch() === 'riscv64' ? 'ppc64le' : 'riscv64'
    const dir = join(tmp.dir, 'layout')
    const image = writeImage(dir, [tar(busyboxLayer())], { architecture: other })
    const manifest = readFileSync(join(dir, 'blobs', image.manifestDigest.replace(':', '/')))
    writeIndex(dir, [{ digest: image.manifestDigest, size: manifest.length, platform: { os: 'linux', architecture: other } }])
    const error = await failure(`oci:${dir}`)
    expect(error.message).toMatch(new RegExp(`has no image for this host's platform linux/${hostArch()}.*available: linux/${other}`))
  })

  it('attestation-manifest-skipped', async () => {
    using tmp = scratch()
    const dir = join(tmp.dir, 'layout')
    const image = writeImage(dir, [tar(busyboxLayer())])
    const manifest = readFileSync(join(dir, 'blobs', image.manifestDigest.replace(':', '/')))
    writeIndex(dir, [
      {
        digest: image.manifestDigest,
        size: manifest.length,
        platform: { os: 'unknown', architecture: 'unknown' },
        annotations: { 'vnd.docker.reference.type': 'attestation-manifest' },
      },
      { digest: image.manifestDigest, size: manifest.length, platform: { os: 'linux', architecture: hostArch() } },
    ])
    expect((await prepare(`oci:${dir}`)).record.layers).toHaveLength(1)
  })

  it('an archive of several images asks for a REF and lists them', async () => {
    expect((await failure(`oci:${f.oci}`)).message).toMatch(/holds \d+ images: name one as oci:.*:REF \(refs: "base", "top"/)
    expect((await failure(`oci:${f.oci}:nope`)).message).toMatch(/has no image named "nope"; it has "base", "top"/)
  })
})

describe('digest-mismatch (blob/manifest/diff_id)', () => {
  function tampered(kind: 'blob' | 'manifest' | 'diff_id'): { reference: string; blob: string } {
    const { dir } = scratch()
    const layer = tar(busyboxLayer([{ path: 'marker', data: kind }]))
    const image = writeImage(join(dir, 'l'), [layer], kind === 'diff_id' ? { diffIds: [sha256('something else')] } : {})
    const path = (digest: string) => join(dir, 'l/blobs', digest.replace(':', '/'))
    if (kind === 'blob') {
      const data = readFileSync(path(image.layerDigests[0]!))
      data.writeUInt8(data.readUInt8(data.length - 20) ^ 0xff, data.length - 20)
      writeFileSync(path(image.layerDigests[0]!), data)
    }
    if (kind === 'manifest')
      writeFileSync(path(image.manifestDigest), readFileSync(path(image.manifestDigest), 'utf8').replace('"schemaVersion":2', '"schemaVersion": 2'))
    return { reference: `oci:${join(dir, 'l')}`, blob: kind === 'manifest' ? image.manifestDigest : image.layerDigests[0]! }
  }

  for (const kind of ['blob', 'manifest', 'diff_id'] as const) {
    it(`${kind}: refused, naming the blob, nothing published`, async () => {
      const before = readdirSync(join(store.path, 'l')).length
      const { reference, blob } = tampered(kind)
      const error = await failure(reference)
      expect(error.blob).toBe(blob)
      expect(error.message).toContain(blob)
      expect(error.message).toMatch(/mismatch/)
      expect(readdirSync(join(store.path, 'l'))).toHaveLength(before)
    })
  }
})

describe('the store', () => {
  it('shares base layers: a second image with the same base extracts only its new layer', async () => {
    const base = [{ path: 'shared/big', data: Buffer.alloc(64 * 1024, 1) }]
    const first = await prepare(craftImage([base, [{ path: 'one', data: '1' }]], { base: false }))
    const second = await prepare(craftImage([base, [{ path: 'two', data: '2' }]], { base: false }))
    expect(first.extractedLayers).toBe(2)
    expect(second.extractedLayers).toBe(1)
    expect(second.lowers.slice(1)).toEqual(first.lowers.slice(1))
  })

  it('second use extracts nothing', async () => {
    const reference = craftImage([[{ path: 'again', data: 'x' }]])
    await prepare(reference)
    const again = await prepare(reference)
    expect([again.extractedLayers, again.extractedBytes]).toEqual([0, 0])
  })

  it('a missing file names the file', () => {
    expect(() => parseImageReference('docker-archive:./no-such.tar', '/nowhere')).toThrow('/nowhere/no-such.tar does not exist')
  })

  it('the store belongs to its user', () => {
    const opened = ImageStore.open(store.path)
    expect(opened.owner).toBe(process.getuid?.() === 0 ? 'exact' : 'squash')
  })
})

function writeIndex(dir: string, manifests: { digest: string; size: number; platform?: object; annotations?: object }[]): void {
  mkdirSync(dir, { recursive: true })
  const index = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: manifests.map((m) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...m })),
  })
  const digest = sha256(index)
  writeFileSync(join(dir, 'blobs', digest.replace(':', '/')), index)
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.index.v1+json', digest, size: index.length }] }),
  )
}
