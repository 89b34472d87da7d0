import { execFileSync } from 'node:child_process'
import { statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { isRoot, tempProject } from '../integration/helpers.js'
import { inside, outside } from './probe.js'

const major = (dev: number) => ((dev >> 8) & 0xfff) | (Math.floor(dev / 2 ** 32) & ~0xfff)
const minor = (dev: number) => (dev & 0xff) | ((dev >> 12) & ~0xff)

/** A loop device over a small file: a disk the host itself may open, unlike this VM's own (sandboxed) disk. */
function loopDevice(dir: string): { path: string; major: number; minor: number; [Symbol.dispose](): void } {
  const image = join(dir, 'disk.img')
  writeFileSync(image, Buffer.alloc(1024 * 1024))
  const path = execFileSync('losetup', ['--find', '--show', image], { encoding: 'utf8' }).trim()
  const { rdev } = statSync(path)
  return { path, major: major(rdev), minor: minor(rdev), [Symbol.dispose]: () => execFileSync('losetup', ['--detach', path]) }
}

describe('escapes through device nodes', () => {
  it('mknod of a host disk', async () => {
    const root = statSync('/').dev
    expect(await inside(['mknod', '/hostdisk', String(major(root)), String(minor(root))])).toMatchObject({ blocked: true, detail: 'EPERM' })
  })

  it.runIf(isRoot)('opening a host disk node found in the copy-on-write root', async () => {
    using project = tempProject()
    using loop = loopDevice(project.dir)
    const node = join(project.dir, 'loopnode')
    execFileSync('mknod', [node, 'b', String(loop.major), String(loop.minor)])
    expect(outside(['open', node]).blocked).toBe(false)
    expect(await inside(['open', node], { visiblePaths: [project.dir], workdir: '/' })).toMatchObject({ blocked: true, detail: 'EACCES' })
  })

  it.runIf(isRoot)('opening a host disk bound in as a volume', async () => {
    using project = tempProject()
    using loop = loopDevice(project.dir)
    expect(outside(['open', loop.path]).blocked).toBe(false)
    expect(await inside(['open', '/disk'], { volumes: [`${loop.path}:/disk`] })).toMatchObject({ blocked: true, detail: 'EACCES' })
  })

  it('opening a host character device bound in as a volume', async () => {
    expect(outside(['open', '/dev/zero']).blocked).toBe(false)
    expect(await inside(['open', '/z'], { volumes: ['/dev/zero:/z'] })).toMatchObject({ blocked: true, detail: 'EACCES' })
  })

  it('the container’s own /dev nodes still work', async () => {
    expect(await inside(['open', '/dev/null'])).toMatchObject({ blocked: false })
  })
})
