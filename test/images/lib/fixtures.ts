// Image fixtures, generated offline at test setup with Debian's umoci, skopeo and GNU tools, plus crafted
// layouts where a form is needed that no tool here writes (docker save >= 25, a partial containerd save).
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { assembleRuntime } from '../../../packages/core/src/node-runtime/runtime.js'
import { busyboxLayer } from './busybox.js'
import { hostArch, sha256 } from './oci.js'
import { tar } from './tar-writer.js'
import { isRoot, run } from './tools.js'

export interface Fixtures {
  dir: string
  /** OCI layout with tags base (1 layer), top (2 layers: whiteout, removed dir), top-arm64, multi (index), node. */
  oci: string
  ociZstd: string
  dockerLegacy: string
  dockerV25: string
  dockerPartial: string
  ociArchive: string
  rootfs: { tar: string; gz: string; zst: string }
}

export function buildFixtures(dir: string): Fixtures {
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const rootfsTar = join(dir, 'rootfs.tar')
  writeFileSync(rootfsTar, tar(busyboxLayer()))
  run('gzip', ['-k', '-n', rootfsTar])
  run('zstd', ['-q', '-k', rootfsTar, '-o', `${rootfsTar}.zst`])

  const oci = join(dir, 'oci')
  const bundle = join(dir, 'bundle')
  const rootless = isRoot ? [] : ['--rootless']
  run('umoci', ['init', '--layout', oci])
  run('umoci', ['new', '--image', `${oci}:base`])
  run('umoci', ['unpack', ...rootless, '--image', `${oci}:base`, bundle])
  const rootfs = join(bundle, 'rootfs')
  run('tar', ['-xf', rootfsTar, '-C', rootfs])
  writeFileSync(join(rootfs, 'etc/deleteme'), 'gone in top\n')
  mkdirSync(join(rootfs, 'opqdir/sub'), { recursive: true })
  writeFileSync(join(rootfs, 'opqdir/sub/old'), 'old\n')
  writeFileSync(join(rootfs, 'opqdir/keep'), 'kept\n')
  run('umoci', ['repack', '--image', `${oci}:base`, bundle])
  rmSync(bundle, { recursive: true, force: true })
  // Layer 2, on a fresh unpack of base: a deleted file and a deleted directory (umoci writes .wh. entries).
  run('umoci', ['unpack', ...rootless, '--image', `${oci}:base`, bundle])
  rmSync(join(rootfs, 'etc/deleteme'))
  rmSync(join(rootfs, 'opqdir/sub'), { recursive: true })
  writeFileSync(join(rootfs, 'etc/added'), 'added in top\n')
  run('umoci', ['repack', '--image', `${oci}:top`, bundle])
  rmSync(bundle, { recursive: true, force: true })
  run('umoci', ['config', '--image', `${oci}:top`, '--tag', 'top-arm64', '--architecture', 'arm64'])
  addMultiArchIndex(oci)
  addNodeImage(oci, dir)

  const ociZstd = join(dir, 'oci-zstd')
  run('skopeo', ['copy', '-q', '--dest-compress', '--dest-compress-format', 'zstd', `oci:${oci}:top`, `oci:${ociZstd}:top`])
  const dockerLegacy = join(dir, 'busybox.tar')
  run('skopeo', ['copy', '-q', `oci:${oci}:top`, `docker-archive:${dockerLegacy}:testcell/busybox:top`])
  const ociArchive = join(dir, 'busybox.oci.tar')
  run('skopeo', ['copy', '-q', `oci:${oci}:top`, `oci-archive:${ociArchive}:top`])
  return {
    dir,
    oci,
    ociZstd,
    dockerLegacy,
    dockerV25: dockerSaveV25(oci, dir),
    dockerPartial: containerdPartialSave(oci, dir),
    ociArchive,
    rootfs: { tar: rootfsTar, gz: `${rootfsTar}.gz`, zst: `${rootfsTar}.zst` },
  }
}

interface IndexEntry {
  mediaType: string
  digest: string
  size: number
  annotations?: Record<string, string>
  platform?: { os: string; architecture: string }
}

function readIndex(oci: string): { schemaVersion: number; manifests: IndexEntry[] } {
  return JSON.parse(readFileSync(join(oci, 'index.json'), 'utf8'))
}

export function tagged(oci: string, tag: string): IndexEntry {
  const found = readIndex(oci).manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag)
  if (!found) throw new Error(`no ${tag} in ${oci}`)
  return found
}

function writeBlob(oci: string, data: string | Buffer): { digest: string; size: number } {
  const digest = sha256(data)
  writeFileSync(join(oci, 'blobs', digest.replace(':', '/')), data)
  return { digest, size: Buffer.byteLength(data) }
}

function addTag(oci: string, entry: IndexEntry, tag: string): void {
  const index = readIndex(oci)
  index.manifests.push({ ...entry, annotations: { 'org.opencontainers.image.ref.name': tag } })
  writeFileSync(join(oci, 'index.json'), JSON.stringify(index))
}

/** `multi`: an image index with linux/amd64 (top) and linux/arm64 (top-arm64). */
function addMultiArchIndex(oci: string): void {
  const manifests = [
    { ...strip(tagged(oci, 'top')), platform: { os: 'linux', architecture: hostArch() } },
    { ...strip(tagged(oci, 'top-arm64')), platform: { os: 'linux', architecture: 'arm64' } },
  ]
  const blob = writeBlob(oci, JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }))
  addTag(oci, { mediaType: 'application/vnd.oci.image.index.v1+json', ...blob }, 'multi')
}

const strip = (e: IndexEntry): IndexEntry => ({ mediaType: e.mediaType, digest: e.digest, size: e.size })

/** `node`: top plus a Node at /opt/n (the host's, made self-contained) linked from /usr/local/bin/node. */
function addNodeImage(oci: string, dir: string): void {
  const runtime = join(dir, 'node-runtime')
  mkdirSync(runtime)
  assembleRuntime(runtime, process.execPath, '/opt/n')
  const files = readdirSync(runtime).map((name) => ({ path: `opt/n/${name}`, data: readFileSync(join(runtime, name)), mode: 0o755 }))
  const layer = tar([
    { path: 'opt/', type: 'dir' },
    { path: 'opt/n/', type: 'dir' },
    ...files,
    { path: 'usr/', type: 'dir' },
    { path: 'usr/local/', type: 'dir' },
    { path: 'usr/local/bin/', type: 'dir' },
    { path: 'usr/local/bin/node', type: 'symlink', linkpath: '/opt/n/node' },
  ])
  rmSync(runtime, { recursive: true })
  const top = tagged(oci, 'top')
  const manifest = JSON.parse(readFileSync(join(oci, 'blobs', top.digest.replace(':', '/')), 'utf8'))
  const config = JSON.parse(readFileSync(join(oci, 'blobs', manifest.config.digest.replace(':', '/')), 'utf8'))
  const layerBlob = writeBlob(oci, layer)
  config.rootfs.diff_ids.push(sha256(layer))
  const configBlob = writeBlob(oci, JSON.stringify(config))
  manifest.config = { ...manifest.config, ...configBlob }
  manifest.layers.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layerBlob })
  addTag(oci, { mediaType: top.mediaType, ...writeBlob(oci, JSON.stringify(manifest)) }, 'node')
}

/** `docker save` of Docker >= 25: an OCI layout in the tar plus manifest.json pointing into blobs/. */
function dockerSaveV25(oci: string, dir: string): string {
  const staging = join(dir, 'v25')
  const top = tagged(oci, 'top')
  const manifest = JSON.parse(readFileSync(join(oci, 'blobs', top.digest.replace(':', '/')), 'utf8'))
  const blobs = [top.digest, manifest.config.digest, ...manifest.layers.map((l: { digest: string }) => l.digest)]
  mkdirSync(join(staging, 'blobs/sha256'), { recursive: true })
  for (const digest of blobs) cpSync(join(oci, 'blobs', digest.replace(':', '/')), join(staging, 'blobs', digest.replace(':', '/')))
  writeFileSync(join(staging, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}')
  writeFileSync(
    join(staging, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ ...strip(top), annotations: { 'io.containerd.image.name': 'docker.io/testcell/busybox:top', 'org.opencontainers.image.ref.name': 'top' } }],
    }),
  )
  writeFileSync(
    join(staging, 'manifest.json'),
    JSON.stringify([
      {
        Config: `blobs/${manifest.config.digest.replace(':', '/')}`,
        RepoTags: ['testcell/busybox:top'],
        Layers: manifest.layers.map((l: { digest: string }) => `blobs/${l.digest.replace(':', '/')}`),
      },
    ]),
  )
  const file = join(dir, 'busybox-v25.tar')
  run('tar', ['-cf', file, '-C', staging, '.'])
  rmSync(staging, { recursive: true })
  return file
}

/**
 * A containerd-store save of a multi-platform image: index.json points to a nested index listing amd64 and
 * arm64, but only this host's platform has its blobs in the archive.
 */
function containerdPartialSave(oci: string, dir: string): string {
  const staging = join(dir, 'partial')
  const here = tagged(oci, 'top')
  const manifest = JSON.parse(readFileSync(join(oci, 'blobs', here.digest.replace(':', '/')), 'utf8'))
  mkdirSync(join(staging, 'blobs/sha256'), { recursive: true })
  for (const digest of [here.digest, manifest.config.digest, ...manifest.layers.map((l: { digest: string }) => l.digest)]) {
    cpSync(join(oci, 'blobs', digest.replace(':', '/')), join(staging, 'blobs', digest.replace(':', '/')))
  }
  const other = hostArch() === 'arm64' ? 'amd64' : 'arm64'
  const nested = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      { ...strip(tagged(oci, 'top-arm64')), digest: `sha256:${'0'.repeat(64)}`, platform: { os: 'linux', architecture: other } },
      { ...strip(here), platform: { os: 'linux', architecture: hostArch() } },
    ],
  })
  const nestedDigest = sha256(nested)
  writeFileSync(join(staging, 'blobs', nestedDigest.replace(':', '/')), nested)
  writeFileSync(join(staging, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}')
  writeFileSync(
    join(staging, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.index.v1+json',
          digest: nestedDigest,
          size: Buffer.byteLength(nested),
          annotations: { 'io.containerd.image.name': 'docker.io/testcell/multi:latest' },
        },
      ],
    }),
  )
  const file = join(dir, 'busybox-partial.tar')
  run('tar', ['-cf', file, '-C', staging, '.'])
  rmSync(staging, { recursive: true })
  return file
}
