// Extraction pitfalls (research notes §3), one test each, on the real applier and a real filesystem.
import { execFileSync } from 'node:child_process'
import { closeSync, constants, existsSync, lstatSync, mkdirSync, openSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { ImageError } from '../../packages/core/src/errors.js'
import { type Extracted, extractLayer } from '../../packages/core/src/layers/extract-layer.js'
import { fgetxattr } from '../../packages/core/src/layers/syscalls.js'
import { isRoot, scratch } from './lib/helpers.js'
import { sha256 } from './lib/oci.js'
import { type TarEntry, tar } from './lib/tar-writer.js'

interface Outcome {
  root: string
  dir: string
  result: Extracted | null
  error: ImageError | null
}

/** Extracts crafted entries (bottom layers first in `lowers`) into a fresh directory. */
async function extract(entries: TarEntry[], options: { lowers?: TarEntry[][]; compress?: (b: Buffer) => Buffer; file?: Buffer } = {}): Promise<Outcome> {
  const { dir } = scratch()
  const lowerDirs: string[] = []
  for (const [i, lower] of (options.lowers ?? []).entries()) {
    const lowerRoot = join(dir, `lower${i}`)
    mkdirSync(lowerRoot)
    writeFileSync(join(dir, `lower${i}.tar`), tar(lower))
    await extractLayer({ file: join(dir, `lower${i}.tar`), name: `lower${i}` }, lowerRoot, {
      owner: isRoot ? 'exact' : 'squash',
      lowers: [...lowerDirs].reverse(),
    })
    lowerDirs.push(lowerRoot)
  }
  const raw = options.file ?? tar(entries)
  const file = join(dir, 'layer.tar')
  writeFileSync(file, options.compress ? options.compress(raw) : raw)
  const root = join(dir, 'root')
  mkdirSync(root)
  try {
    const result = await extractLayer({ file, name: 'sha256:test-blob' }, root, { owner: isRoot ? 'exact' : 'squash', lowers: [...lowerDirs].reverse() })
    return { root, dir, result, error: null }
  } catch (error) {
    if (!(error instanceof ImageError)) throw error
    return { root, dir, result: null, error }
  }
}

const mode = (path: string) => lstatSync(path).mode & 0o7777

describe('paths stay inside the layer', () => {
  it('abs-symlink-preserved', async () => {
    const { root } = await extract([{ path: 'etc/localtime', type: 'symlink', linkpath: '/usr/share/zoneinfo/UTC' }])
    expect(readlinkSync(join(root, 'etc/localtime'))).toBe('/usr/share/zoneinfo/UTC')
  })

  it('overclimb-relative-symlink-preserved', async () => {
    const { root } = await extract([{ path: 'usr/lib/deep-rel', type: 'symlink', linkpath: '../../../../../etc/hostname' }])
    expect(readlinkSync(join(root, 'usr/lib/deep-rel'))).toBe('../../../../../etc/hostname')
  })

  it('dotdot-entry-rejected', async () => {
    const { dir, error } = await extract([{ path: '../escape', data: 'x' }])
    expect(error?.message).toMatch(/sha256:test-blob.*\.\.\/escape.*"\.\." is refused/)
    expect(existsSync(join(dir, 'escape'))).toBe(false)
  })

  it('abs-entry-relativized', async () => {
    const name = `testcell-abs-${process.pid}`
    const { root } = await extract([{ path: `/${name}`, data: 'inside' }])
    expect(readFileSync(join(root, name), 'utf8')).toBe('inside')
    expect(existsSync(`/${name}`)).toBe(false)
  })

  it('write-through-symlink-same-layer', async () => {
    const before = readFileSync('/etc/passwd', 'utf8')
    const { root, error } = await extract([
      { path: 'a', type: 'symlink', linkpath: '/etc' },
      { path: 'a/passwd', data: 'pwned\n' },
    ])
    expect(error?.message).toMatch(/a\/passwd: its parent directory is a symlink/)
    expect(readFileSync('/etc/passwd', 'utf8')).toBe(before)
    expect(existsSync(join(root, 'etc/passwd'))).toBe(false)
  })

  it('write-through-symlink-lower-layer', async () => {
    const before = readFileSync('/etc/passwd', 'utf8')
    const { root, error } = await extract([{ path: 'a/passwd', data: 'layer two\n' }], { lowers: [[{ path: 'a', type: 'symlink', linkpath: '/etc' }]] })
    expect(error).toBeNull()
    expect(lstatSync(join(root, 'a')).isDirectory()).toBe(true) // a real directory of this layer, shadowing the link
    expect(readFileSync(join(root, 'a/passwd'), 'utf8')).toBe('layer two\n')
    expect(readFileSync('/etc/passwd', 'utf8')).toBe(before)
  })

  it('hardlink-escape (.., absolute, via symlink)', async () => {
    const links = statSync('/etc/passwd').nlink
    const dotdot = await extract([{ path: 'x', type: 'link', linkpath: '../../../../etc/passwd' }])
    expect(dotdot.error?.message).toMatch(/outside the layer/)
    const absolute = await extract([{ path: 'x', type: 'link', linkpath: '/etc/passwd' }])
    expect(absolute.error?.message).toMatch(/neither in this layer nor below it/)
    const viaSymlink = await extract([
      { path: 'a', type: 'symlink', linkpath: '/etc' },
      { path: 'x', type: 'link', linkpath: 'a/passwd' },
    ])
    expect(viaSymlink.error?.message).toMatch(/behind a symlink/)
    expect(statSync('/etc/passwd').nlink).toBe(links)
  })

  it('hardlink-before-target', async () => {
    const { root, error } = await extract([
      { path: 'b', type: 'link', linkpath: 'a' },
      { path: 'a', data: 'shared' },
    ])
    expect(error).toBeNull()
    expect(statSync(join(root, 'b')).ino).toBe(statSync(join(root, 'a')).ino)
  })

  it('hardlink-to-lower-layer', async () => {
    const { root, error } = await extract([{ path: 'lib/y', type: 'link', linkpath: 'lib/x' }], {
      lowers: [[{ path: 'lib/x', data: 'from below', mode: 0o640 }]],
    })
    expect(error).toBeNull()
    // overlayfs cannot link across layers: the target is copied up into this layer and linked there.
    expect(readFileSync(join(root, 'lib/y'), 'utf8')).toBe('from below')
    expect(statSync(join(root, 'lib/y')).ino).toBe(statSync(join(root, 'lib/x')).ino)
    expect(mode(join(root, 'lib/x'))).toBe(0o640)
  })

  it('root-entry-type-change', async () => {
    const { error } = await extract([{ path: '.', type: 'symlink', linkpath: '/' }])
    expect(error?.message).toMatch(/layer root cannot become a SymbolicLink/)
    const fine = await extract([
      { path: './', type: 'dir' },
      { path: './ok', data: '' },
    ])
    expect(fine.error).toBeNull()
  })
})

describe('whiteouts on disk', () => {
  it('empty-.wh.-invalid', async () => {
    const { error } = await extract([{ path: 'etc/.wh.', data: '' }])
    expect(error?.message).toMatch(/empty whiteout name/)
  })

  it('aufs-meta-dropped', async () => {
    const { root, error } = await extract([
      { path: '.wh..wh.plnk/', type: 'dir' },
      { path: '.wh..wh.plnk/1234.5', data: 'x' },
      { path: '.wh..wh.orph', data: '' },
      { path: 'kept', data: '' },
    ])
    expect(error).toBeNull()
    expect(existsSync(join(root, '.wh..wh.plnk'))).toBe(false)
    expect(existsSync(join(root, '.wh..wh.orph'))).toBe(false)
    expect(existsSync(join(root, 'kept'))).toBe(true)
  })

  it('whiteouts become 0/0 character devices and opaque markers user.overlay.opaque', async () => {
    const { root } = await extract([
      { path: 'etc/.wh.deleteme', data: '' },
      { path: 'opq/.wh..wh..opq', data: '' },
    ])
    const whiteout = lstatSync(join(root, 'etc/deleteme'))
    expect(whiteout.isCharacterDevice() && whiteout.rdev === 0).toBe(true)
    const fd = openSync(join(root, 'opq'), constants.O_RDONLY)
    expect(fgetxattr(fd, 'user.overlay.opaque')).toBe('y')
    closeSync(fd)
  })
})

describe('types, modes and owners', () => {
  it('dir-replaced-by-file / file-replaced-by-dir', async () => {
    const { root, error } = await extract([
      { path: 'x/', type: 'dir' },
      { path: 'x/child', data: 'c' },
      { path: 'x', data: 'now a file' },
      { path: 'y', data: 'a file first' },
      { path: 'y/', type: 'dir' },
      { path: 'y/z', data: 'z' },
    ])
    expect(error).toBeNull()
    expect(readFileSync(join(root, 'x'), 'utf8')).toBe('now a file')
    expect(readFileSync(join(root, 'y/z'), 'utf8')).toBe('z')
  })

  it('setuid-setgid-preserved', async () => {
    const { root } = await extract([
      { path: 'usr/bin/su', data: 'elf', mode: 0o4755, uid: 0, gid: 0 },
      { path: 'usr/bin/chage', data: 'elf', mode: 0o2755, uid: 0, gid: 42 },
      { path: 'srv/shared/', type: 'dir', mode: 0o2775, gid: 42 },
    ])
    expect(mode(join(root, 'usr/bin/su'))).toBe(0o4755)
    expect(mode(join(root, 'usr/bin/chage'))).toBe(0o2755)
    expect(mode(join(root, 'srv/shared'))).toBe(0o2775)
    if (isRoot) expect(statSync(join(root, 'usr/bin/chage')).gid).toBe(42)
  })

  it('dir-0555-with-children', async () => {
    const { root, error } = await extract([
      { path: 'ro/', type: 'dir', mode: 0o555 },
      { path: 'ro/inner/', type: 'dir', mode: 0o555 },
      { path: 'ro/inner/file', data: 'deep' },
    ])
    expect(error).toBeNull()
    expect(mode(join(root, 'ro'))).toBe(0o555)
    expect(mode(join(root, 'ro/inner'))).toBe(0o555)
    expect(readFileSync(join(root, 'ro/inner/file'), 'utf8')).toBe('deep')
  })

  it('file-mode-000', async () => {
    const { root } = await extract([{ path: 'etc/shadow', data: 'secret', mode: 0 }])
    expect(mode(join(root, 'etc/shadow'))).toBe(0)
    expect(statSync(join(root, 'etc/shadow')).size).toBe(6)
  })

  it('device-nodes-skipped', async () => {
    const { root, result } = await extract([
      { path: 'dev/null', type: 'char', devmajor: 1, devminor: 3 },
      { path: 'dev/sda', type: 'block', devmajor: 8, devminor: 0 },
      { path: 'etc/smuggled-whiteout', type: 'char', devmajor: 0, devminor: 0 },
    ])
    expect(result?.skippedDevices).toBe(3)
    for (const path of ['dev/null', 'dev/sda', 'etc/smuggled-whiteout']) expect(existsSync(join(root, path))).toBe(false)
  })

  it('fifo', async () => {
    const { root } = await extract([{ path: 'run/pipe', type: 'fifo', mode: 0o620 }])
    expect(lstatSync(join(root, 'run/pipe')).isFIFO()).toBe(true)
    expect(mode(join(root, 'run/pipe'))).toBe(0o620)
  })

  it('overlay-xattr-smuggling-dropped', async () => {
    const { root } = await extract([
      { path: 'd/', type: 'dir', pax: { 'SCHILY.xattr.user.overlay.opaque': 'y', 'SCHILY.xattr.user.overlay.redirect': '/etc' } },
    ])
    const fd = openSync(join(root, 'd'), constants.O_RDONLY)
    expect(fgetxattr(fd, 'user.overlay.opaque')).toBeNull()
    expect(fgetxattr(fd, 'user.overlay.redirect')).toBeNull()
    closeSync(fd)
  })

  it('trusted-xattr-dropped', async () => {
    const { root } = await extract([{ path: 'd/', type: 'dir', pax: { 'SCHILY.xattr.trusted.overlay.opaque': 'y' } }])
    const fd = openSync(join(root, 'd'), constants.O_RDONLY)
    expect(fgetxattr(fd, 'trusted.overlay.opaque')).toBeNull()
    closeSync(fd)
  })

  it('rootless-ownership-squash', async () => {
    const { root } = await extract([
      { path: 'home/app/', type: 'dir', uid: 1000, gid: 1000 },
      { path: 'home/app/file', data: 'x', uid: 1000, gid: 1000 },
      { path: 'var/mail', type: 'symlink', linkpath: 'spool/mail', uid: 8, gid: 8 },
    ])
    const own = (p: string) => [lstatSync(join(root, p)).uid, lstatSync(join(root, p)).gid]
    // As root: exactly as in the archive. Rootless: everything is the user's own (root inside the container).
    const expected = isRoot ? [1000, 1000] : [process.getuid?.(), process.getgid?.()]
    expect(own('home/app')).toEqual(expected)
    expect(own('home/app/file')).toEqual(expected)
    expect(own('var/mail')).toEqual(isRoot ? [8, 8] : expected)
  })
})

describe('tar format quirks', () => {
  it('gnu-longname/pax-longlink', async () => {
    const long = `${'deep/'.repeat(30)}file`
    const target = `/${'t'.repeat(200)}`
    const { root, error } = await extract([
      { path: long, data: 'long', gnuLongName: true },
      { path: 'link', type: 'symlink', linkpath: target, pax: { linkpath: target } },
      { path: 'glink', type: 'symlink', linkpath: target, gnuLongLink: true },
    ])
    expect(error).toBeNull()
    expect(readFileSync(join(root, long), 'utf8')).toBe('long')
    expect(readlinkSync(join(root, 'link'))).toBe(target)
    expect(readlinkSync(join(root, 'glink'))).toBe(target)
  })

  it('base256-uid', async () => {
    const { root, error } = await extract([{ path: 'big', data: '', uid: 3_000_000, gid: 3_000_001 }])
    expect(error).toBeNull()
    if (isRoot) expect([statSync(join(root, 'big')).uid, statSync(join(root, 'big')).gid]).toEqual([3_000_000, 3_000_001])
  })

  it('pax-desync-x-before-L', async () => {
    const { root, dir, error } = await extract([
      { path: 'from-gnu-L', data: 'payload', gnuLongName: true, pax: { path: 'from-pax' } },
      { path: 'after', data: 'next' },
    ])
    expect(error).toBeNull()
    // One entry, under one of its two names, and the next entry intact: no smuggled member, nothing outside.
    const named = ['from-gnu-L', 'from-pax'].filter((n) => existsSync(join(root, n)))
    expect(named).toHaveLength(1)
    expect(readFileSync(join(root, named[0]!), 'utf8')).toBe('payload')
    expect(readFileSync(join(root, 'after'), 'utf8')).toBe('next')
    expect(existsSync(join(dir, 'from-pax'))).toBe(false)
  })

  it('compression-sniff-mislabeled', async () => {
    // The bytes decide, whatever a name or media type claims: gzip, zstd and plain all extract.
    const entries: TarEntry[] = [{ path: 'hello', data: 'world' }]
    const gz = await extract(entries, { compress: (b) => gzipSync(b) })
    expect(readFileSync(join(gz.root, 'hello'), 'utf8')).toBe('world')
    const zstd = await extract(entries, { compress: (b) => zstdCompress(b) })
    expect(readFileSync(join(zstd.root, 'hello'), 'utf8')).toBe('world')
    expect(zstd.result?.diffId).toBe(sha256(tar(entries)))
  })

  it('truncated-blob', async () => {
    const whole = gzipSync(tar([{ path: 'big', data: Buffer.alloc(200_000, 7) }]))
    const { error } = await extract([], { file: whole, compress: (b) => b.subarray(0, b.length - 100) })
    expect(error?.blob).toBe('sha256:test-blob')
    expect(error?.message).toMatch(/sha256:test-blob/)
    const plain = await extract([], { file: tar([{ path: 'big', data: Buffer.alloc(200_000, 7) }]).subarray(0, 100_000) })
    expect(plain.error?.message).toMatch(/sha256:test-blob/)
  })

  it('decompression-bomb', async () => {
    const bomb = gzipSync(tar([{ path: 'zeros', data: Buffer.alloc(80 * 1024 * 1024) }]), { level: 9 })
    const { error } = await extract([], { file: bomb, compress: (b) => b })
    expect(error?.message).toMatch(/sha256:test-blob expands past .* refused as a decompression bomb/)
  })
})

function zstdCompress(data: Buffer): Buffer {
  return execFileSync('zstd', ['-q', '-c'], { input: data })
}
