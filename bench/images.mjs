// Images benchmark, in one run (pnpm bench:images [rounds]):
//  1. extraction of the same rootfs tarball by the layer store (verify + apply + publish) against GNU tar -x,
//     plain and gzip, on the same filesystem, median of interleaved repeats;
//  2. the start of a container (/bin/true) from an image already in the store against one on the host root,
//     interleaved, median;
//  3. the work done on second use of the image (bytes extracted: must be 0).
// The rootfs is built from this host's /usr (python3, perl, binaries and libraries: ~6-10k entries), so
// figures vary between hosts; the ratio is what to compare.
import { execFileSync, spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createContainer } from '@testcell/core'

const rounds = Number(process.argv[2] ?? 40)
const repeats = 5
const core = new URL('../packages/core/dist/', import.meta.url)
const { ImageStore } = await import(new URL('store/store.js', core))
const { prepareImage } = await import(new URL('images/prepare.js', core))
const { parseImageReference } = await import(new URL('images/reference.js', core))

const work = mkdtempSync(join(process.env.TESTCELL_BENCH_DIR ?? tmpdir(), 'testcell-bench-images-'))
process.on('exit', () => rmSync(work, { recursive: true, force: true }))
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

// --- 1. extraction ---------------------------------------------------------------------------------------
const candidates = ['usr/bin', 'usr/sbin', 'usr/lib/python3', 'usr/lib/python3.11', 'usr/share/perl', 'usr/lib/x86_64-linux-gnu/perl-base', 'etc']
const members = candidates.filter((p) => existsSync(`/${p}`))
const rootfs = join(work, 'rootfs.tar')
spawnSync('tar', ['-C', '/', '-cf', rootfs, '--ignore-failed-read', ...members], { stdio: ['ignore', 'ignore', 'ignore'] })
execFileSync('gzip', ['-k', '-1', rootfs])
const entries = Number(
  execFileSync('sh', ['-c', `tar -tf ${rootfs} | wc -l`])
    .toString()
    .trim(),
)
console.log(
  `rootfs: ${members.join(' ')} from this host: ${entries} entries, ${(statSync(rootfs).size / 2 ** 20).toFixed(0)} MiB tar, ${(statSync(`${rootfs}.gz`).size / 2 ** 20).toFixed(0)} MiB gzip`,
)

async function storeExtract(file) {
  const root = join(work, `store-${Math.random().toString(36).slice(2)}`)
  const store = ImageStore.open(root)
  const start = performance.now()
  await store.extractBaseLayer({ file, name: file })
  const ms = performance.now() - start
  rmSync(root, { recursive: true, force: true })
  return ms
}

function gnuExtract(file) {
  const dir = join(work, `gnu-${Math.random().toString(36).slice(2)}`)
  mkdirSync(dir)
  const start = performance.now()
  execFileSync('tar', ['-xf', file, '-C', dir, ...(process.getuid() === 0 ? ['--same-owner'] : [])])
  const ms = performance.now() - start
  rmSync(dir, { recursive: true, force: true })
  return ms
}

const extraction = {}
for (const [label, file] of [
  ['tar', rootfs],
  ['tar.gz', `${rootfs}.gz`],
]) {
  const store = []
  const gnu = []
  await storeExtract(file) // warm the page cache
  for (let i = 0; i < repeats; i++) {
    store.push(await storeExtract(file))
    gnu.push(gnuExtract(file))
  }
  extraction[label] = { store: median(store), gnu: median(gnu), ratio: median(store) / median(gnu) }
  console.log(
    `extract ${label.padEnd(6)} store ${median(store).toFixed(0).padStart(6)} ms   GNU tar -x ${median(gnu).toFixed(0).padStart(6)} ms   ratio ${extraction[label].ratio.toFixed(2)}`,
  )
}

// --- 2. start from a stored image vs the host root ---------------------------------------------------------
const staging = join(work, 'busybox')
mkdirSync(join(staging, 'bin'), { recursive: true })
copyFileSync('/bin/busybox', join(staging, 'bin/busybox'))
for (const applet of ['sh', 'true']) symlinkSync('busybox', join(staging, 'bin', applet))
const busybox = join(work, 'busybox.tar')
execFileSync('tar', ['-C', staging, '-cf', busybox, '.'])
process.env.TESTCELL_IMAGE_STORE = join(work, 'store')
const image = `rootfs:${busybox}`
const first = await prepareImage(parseImageReference(image))
first.release()

async function start(options) {
  const begin = performance.now()
  const container = await createContainer({ command: ['/bin/true'], stdio: 'inherit', ...options })
  const result = await container.result
  if (result.exitCode !== 0) throw new Error(`exit ${result.exitCode}`)
  return performance.now() - begin
}
const host = []
const stored = []
await start({})
await start({ image })
for (let i = 0; i < rounds; i++) {
  host.push(await start({}))
  stored.push(await start({ image }))
}
const startDelta = median(stored) - median(host)
console.log(`start   host root ${median(host).toFixed(2)} ms   stored image ${median(stored).toFixed(2)} ms   (${rounds} interleaved rounds, medians)`)

// --- 3. second use -------------------------------------------------------------------------------------------
const second = await prepareImage(parseImageReference(image))
second.release()
console.log(`second use: ${second.extractedLayers} layers, ${second.extractedBytes} bytes extracted (first use: ${first.extractedBytes} bytes)`)
const layerDirs = readdirSync(join(work, 'store', 'l')).length

const worst = Math.max(extraction.tar.ratio, extraction['tar.gz'].ratio)
console.log(`store layers: ${layerDirs}; extraction ratio reported below: the worse of plain and gzip`)
console.log(
  `images: extract ${worst.toFixed(2)} x gnu-tar, start ${startDelta >= 0 ? '+' : ''}${startDelta.toFixed(2)} ms over host root, second use ${second.extractedBytes} bytes extracted`,
)
