// The layer store under concurrency, crashes, pruning, many layers and unusual places.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createContainer } from '../../packages/core/src/images/create-container.js'
import { cli, craftImage, inImage, scratch, useStore } from './lib/helpers.js'
import type { TarEntry } from './lib/tar-writer.js'

const store = useStore()
const DIST = join(import.meta.dirname, '../../packages/core/dist')

/** A layer of `count` files of `size` bytes, to make extraction take a while. */
function bulky(count: number, size: number, tag: string): TarEntry[] {
  return Array.from({ length: count }, (_, i) => ({ path: `bulk/${tag}/${i}`, data: Buffer.alloc(size, i % 251) }))
}

/** Runs prepareImage in a separate process (a Vitest worker of its own), printing what it did. */
function prepareIn(reference: string, env: NodeJS.ProcessEnv = {}): { child: ReturnType<typeof spawn>; done: Promise<string> } {
  const script = `
    const { prepareImage } = await import(${JSON.stringify(`${DIST}/images/prepare.js`)})
    const { parseImageReference } = await import(${JSON.stringify(`${DIST}/images/reference.js`)})
    const fs = await import('node:fs')
    const image = await prepareImage(parseImageReference(process.argv[1]))
    const complete = fs.existsSync(image.lowers[0] + '/bulk/last/done')
    console.log(JSON.stringify({ layers: image.extractedLayers, complete }))
    image.release()`
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, reference], {
    env: { ...process.env, TESTCELL_IMAGE_STORE: store.path, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout?.on('data', (d: Buffer) => (out += d))
  child.stderr?.on('data', (d: Buffer) => (out += d))
  const done = new Promise<string>((resolve) => child.on('close', () => resolve(out)))
  return { child, done }
}

describe('concurrency and crashes', () => {
  it('concurrent-workers-same-image', async () => {
    const reference = craftImage([bulky(200, 64 * 1024, 'a'), [...bulky(200, 64 * 1024, 'b'), { path: 'bulk/last/done', data: '' }]])
    const outputs = await Promise.all(Array.from({ length: 4 }, () => prepareIn(reference).done))
    const results = outputs.map((o) => JSON.parse(o.trim().split('\n').pop()!) as { layers: number; complete: boolean })
    // Three layers (busybox, a, b) extracted once in all; every worker saw them complete.
    expect(results.reduce((n, r) => n + r.layers, 0)).toBe(3)
    expect(results.every((r) => r.complete)).toBe(true)
  })

  it('crash-mid-extract-not-published', async () => {
    const reference = craftImage([[...bulky(1500, 128 * 1024, 'crash'), { path: 'bulk/last/done', data: '' }]], { gzip: false })
    const { child, done } = prepareIn(reference)
    const tmp = join(store.path, 'tmp')
    const deadline = Date.now() + 30_000
    // Kill it once its extraction has begun writing files.
    for (;;) {
      const busy = readdirSync(tmp).some((d) => d.startsWith(`${child.pid}-layer-`) && existsSync(join(tmp, d, 'root/bulk/crash/10')))
      if (busy || Date.now() > deadline) break
      await new Promise((r) => setTimeout(r, 2))
    }
    child.kill('SIGKILL')
    await done
    const leftovers = readdirSync(tmp).filter((d) => d.startsWith(`${child.pid}-`))
    expect(leftovers.length).toBeGreaterThan(0) // it really died mid-way
    const again = await prepareIn(reference).done
    expect(again).toMatch(/complete/)
    expect(JSON.parse(again.trim().split('\n').pop()!)).toMatchObject({ complete: true })
    expect((await cli(['images', 'prune'], { env: { TESTCELL_IMAGE_STORE: store.path } })).code).toBe(0)
    expect(readdirSync(tmp).filter((d) => d.startsWith(`${child.pid}-`))).toEqual([])
  })

  it('gc-while-mounted', async () => {
    const reference = craftImage([[{ path: 'in-use', data: 'still here' }]])
    const container = await createContainer({ image: reference, command: ['/bin/sh', '-c', 'read line; cat /in-use'], workdir: '/', visiblePaths: [] })
    let stdout = ''
    container.process.stdout?.on('data', (d: Buffer) => (stdout += d))
    await container.started
    const pruned = await cli(['images', 'prune', '--all'], { env: { TESTCELL_IMAGE_STORE: store.path } })
    expect(pruned.stdout).toMatch(/[1-9]\d* in use by running containers/)
    container.process.stdin?.end('go\n')
    await container.result
    expect(stdout).toBe('still here')
    const after = await cli(['images', 'prune', '--all'], { env: { TESTCELL_IMAGE_STORE: store.path } })
    expect(after.stdout).toMatch(/^[1-9]\d* layers removed .*, 0 in use/)
    expect(readdirSync(join(store.path, 'l'))).toEqual([])
  })
})

describe('many layers and long paths', () => {
  const numbered = (n: number): TarEntry[][] => Array.from({ length: n }, (_, i) => [{ path: `layers/${i}`, data: String(i) }])

  it('many-layers (128, and >500 error)', async () => {
    const layers = numbered(127)
    layers.push([{ path: 'layers/.wh.0', data: '' }]) // the top layer deletes a file of the (flattened) bottom
    const ran = await inImage(craftImage(layers), 'ls /layers | wc -l; test -e /layers/0 || echo whited-out; cat /layers/126')
    expect(ran.stdout).toBe('126\nwhited-out\n126')
    const tooMany = await inImage(craftImage(numbered(501)), 'true').catch((e: Error) => e)
    expect((tooMany as Error).message).toMatch(/has 502 layers; at most 500 are supported/)
  })

  it('mount-options-page-limit', async () => {
    using tmp = scratch()
    const deep = join(tmp.dir, 'a'.repeat(200), 'b'.repeat(40))
    mkdirSync(deep, { recursive: true })
    // 30 layers under a 250-byte store path do not fit in one page of mount options: the bottom ones are flattened.
    const ran = await inImage(craftImage(numbered(30)), 'ls /layers | wc -l', {}, deep)
    expect(ran.stdout.trim()).toBe('30')
  })
})

describe('where the store lives', () => {
  it('cache-on-tmpfs', async () => {
    const dir = `/dev/shm/testcell-store-${process.pid}`
    try {
      const image = craftImage([
        [{ path: 'opq/a', data: '' }],
        [
          { path: 'opq/.wh..wh..opq', data: '' },
          { path: 'opq/b', data: '' },
          { path: '.wh.etc', data: '' },
        ],
      ])
      const ran = await inImage(image, 'ls /opq; test -e /etc || echo no-etc', {}, dir)
      expect(ran.stdout).toBe('b\nno-etc\n')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('cache-on-overlay-refused', () => {
    using tmp = scratch()
    const script = `set -e; cd ${tmp.dir}; mkdir l u w m; mount -t overlay overlay -o lowerdir=l,upperdir=u,workdir=w m
      TESTCELL_IMAGE_STORE=${tmp.dir}/m/store ${process.execPath} --input-type=module -e 'const { ImageStore } = await import(process.argv[1]); ImageStore.open()' ${DIST}/store/store.js`
    const run = spawnSync('unshare', ['-Urm', 'sh', '-c', script], { encoding: 'utf8' })
    expect(run.status).not.toBe(0)
    expect(run.stderr).toMatch(/the image store .*\/m\/store is on overlayfs .* point TESTCELL_IMAGE_STORE at a directory on another filesystem/)
  })
})
