// What a container sees through stacked layers: whiteouts, opaque directories and replaced types, mounted
// as overlay lowers with userxattr (the same on disk and at mount, root and rootless).
import { describe, expect, it } from 'vitest'
import { craftImage, inImage, useStore } from './lib/helpers.js'

useStore()

const ls = (dir: string) => `ls -A ${dir} | tr '\\n' ' '`

describe('layers as the container sees them', () => {
  it('whiteout-file', async () => {
    const image = craftImage([
      [
        { path: 'etc/deleteme', data: 'x' },
        { path: 'etc/keep', data: 'k' },
      ],
      [{ path: 'etc/.wh.deleteme', data: '' }],
    ])
    const ran = await inImage(image, `test -e /etc/deleteme && echo present; ${ls('/etc')}`)
    expect(ran.stdout.trim()).toBe('keep os-release')
  })

  it('whiteout-dir', async () => {
    const image = craftImage([[{ path: 'dir/sub/file', data: 'x' }], [{ path: '.wh.dir', data: '' }]])
    const ran = await inImage(image, 'test -e /dir && echo present || echo gone')
    expect(ran.stdout.trim()).toBe('gone')
  })

  it('opaque-dir', async () => {
    const image = craftImage([
      [
        { path: 'opq/a', data: 'a' },
        { path: 'opq/b', data: 'b' },
      ],
      [
        { path: 'opq/.wh..wh..opq', data: '' },
        { path: 'opq/c', data: 'c' },
      ],
    ])
    expect((await inImage(image, ls('/opq'))).stdout.trim()).toBe('c')
  })

  it('opaque-marker-after-siblings', async () => {
    const image = craftImage([
      [{ path: 'opq/a', data: 'a' }],
      [
        { path: 'opq/c', data: 'c' },
        { path: 'opq/sub/d', data: 'd' },
        { path: 'opq/.wh..wh..opq', data: '' },
      ],
    ])
    expect((await inImage(image, `${ls('/opq')}; ${ls('/opq/sub')}`)).stdout.trim()).toBe('c sub d')
  })

  it('whiteout-same-layer-noop', async () => {
    const image = craftImage([
      [
        { path: 'x', data: 'old' },
        { path: 'd/old', data: 'old' },
      ],
      [
        { path: 'x', data: 'new' },
        { path: '.wh.x', data: '' },
        { path: '.wh.d', data: '' },
        { path: 'd/new', data: 'new' },
      ],
    ])
    // A whiteout only deletes what lies below; this layer's own x and d stay, and d shows only its new child.
    expect((await inImage(image, `cat /x; echo; ${ls('/d')}`)).stdout.trim()).toBe('new\nnew')
  })

  it('dir-replaced-by-file / file-replaced-by-dir across layers', async () => {
    const image = craftImage([
      [
        { path: 'x/child', data: 'c' },
        { path: 'y', data: 'file' },
      ],
      [
        { path: 'x', data: 'now a file' },
        { path: 'y/z', data: 'z' },
      ],
    ])
    expect((await inImage(image, 'cat /x; echo; cat /y/z')).stdout.trim()).toBe('now a file\nz')
  })

  it('dirlink-vs-real-dir', async () => {
    const image = craftImage([
      [
        { path: 'usr/lib/a', data: 'a' },
        { path: 'lib', type: 'symlink', linkpath: 'usr/lib' },
      ],
      [{ path: 'lib/b', data: 'b' }],
    ])
    // A later layer's real lib/ shadows the lower lib -> usr/lib link (as a flattening unpack would replace
    // it); usr/lib itself is untouched.
    expect((await inImage(image, `${ls('/lib')}; ${ls('/usr/lib')}`)).stdout.trim()).toBe('b a')
  })

  it('write-through-symlink-lower-layer: the link is shadowed, the host untouched', async () => {
    const image = craftImage([[{ path: 'a', type: 'symlink', linkpath: '/etc' }], [{ path: 'a/passwd', data: 'layer two\n' }]])
    expect((await inImage(image, 'cat /a/passwd; test -L /a || echo dir')).stdout).toBe('layer two\ndir\n')
  })

  it('a container cannot change its image: writes go to its own upper layer', async () => {
    const image = craftImage([[{ path: 'data/file', data: 'original' }]])
    expect((await inImage(image, 'echo changed > /data/file; rm -f /etc/os-release; cat /data/file')).stdout.trim()).toBe('changed')
    expect((await inImage(image, 'cat /data/file; test -e /etc/os-release && echo " ok"')).stdout.trim()).toBe('original ok')
  })
})
