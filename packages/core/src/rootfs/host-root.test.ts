import { describe, expect, it } from 'vitest'
import { parseMountInfo } from '../host/mountinfo.js'
import { PRIVATE_PATHS, planHostTree, visibleMounts } from './host-root.js'
import type { HostTree } from './host-tree.js'

const MOUNTINFO = `22 27 0:21 / /proc rw,relatime - proc proc rw
24 27 0:6 / /dev rw,relatime - devtmpfs devtmpfs rw
27 1 254:0 / / rw,relatime - ext4 /dev/vda rw
28 27 0:25 / /mnt/tools/python ro,nosuid - tmpfs tools ro
31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw
40 27 8:1 / /data rw - xfs /dev/sdb rw
41 27 0:40 / /etc/hosts rw - ext4 /dev/vdb rw
`

/** A fake tree: directories listed in `dirs`, anything else named in `links`/`files`. */
function tree(dirs: Record<string, string[]>, links: Record<string, string> = {}, files: string[] = [], closed: string[] = []): HostTree {
  return {
    kind: (p) => (p in dirs ? 'dir' : p in links ? 'symlink' : files.includes(p) ? 'file' : 'missing'),
    list: (d) => dirs[d] ?? [],
    readlink: (p) => links[p]!,
    mode: () => 0o755,
    accessible: (d) => !closed.includes(d),
  }
}

const mounts = parseMountInfo(MOUNTINFO)

describe('visibleMounts', () => {
  it('drops mounts hidden by a later mount at or above them', () => {
    const stacked = parseMountInfo(`1 0 0:1 / / rw - ext4 a rw\n2 1 0:2 / /x/y rw - ext4 b rw\n3 1 0:3 / /x rw - ext4 c rw\n`)
    expect(visibleMounts(stacked).map((m) => m.mountPoint)).toEqual(['/', '/x'])
  })

  it('decodes octal escapes in mount points', () => {
    expect(parseMountInfo('1 0 0:1 / /with\\040space rw - ext4 a rw')[0]!.mountPoint).toBe('/with space')
  })
})

describe('planHostTree as root', () => {
  it('overlays / and every other real mount; skips kernel filesystems and private paths; binds file mounts read-only', () => {
    const fs = tree({ '/': [], '/data': [], '/mnt/tools/python': [] }, {}, ['/etc/hosts'])
    const ops = planHostTree({ root: '/', skip: PRIVATE_PATHS, mounts, privilege: 'root', tree: fs })
    expect(ops).toEqual([
      { op: 'overlay', target: '/', lowers: ['/'] },
      { op: 'overlay', target: '/data', lowers: ['/data'] },
      { op: 'bind', source: '/etc/hosts', target: '/etc/hosts', readonly: true },
      { op: 'overlay', target: '/mnt/tools/python', lowers: ['/mnt/tools/python'] },
    ])
  })
})

describe('planHostTree in a user namespace', () => {
  it('splits the tree into directories without mounts below them', () => {
    const fs = tree(
      {
        '/': ['bin', 'data', 'dev', 'etc', 'mnt', 'proc', 'root', 'tmp', 'usr', 'vmlinuz'],
        '/data': [],
        '/etc': ['hosts', 'passwd'],
        '/mnt': ['tools'],
        '/mnt/tools': ['python', 'readme'],
        '/mnt/tools/python': [],
        '/root': [],
        '/usr': [],
        '/dev': [],
        '/proc': [],
        '/tmp': [],
      },
      { '/bin': 'usr/bin' },
      ['/etc/hosts', '/etc/passwd', '/mnt/tools/readme', '/vmlinuz'],
      ['/root'],
    )
    const ops = planHostTree({ root: '/', skip: PRIVATE_PATHS, mounts, privilege: 'rootless', tree: fs })
    expect(ops).toEqual([
      { op: 'mkdir', target: '/', mode: 0o755 },
      { op: 'symlink', linkText: 'usr/bin', target: '/bin' },
      { op: 'overlay', target: '/data', lowers: ['/data'] },
      { op: 'mkdir', target: '/etc', mode: 0o755 },
      { op: 'bind', source: '/etc/hosts', target: '/etc/hosts', readonly: true },
      { op: 'bind', source: '/etc/passwd', target: '/etc/passwd', readonly: true },
      { op: 'mkdir', target: '/mnt', mode: 0o755 },
      { op: 'mkdir', target: '/mnt/tools', mode: 0o755 },
      { op: 'overlay', target: '/mnt/tools/python', lowers: ['/mnt/tools/python'] },
      { op: 'bind', source: '/mnt/tools/readme', target: '/mnt/tools/readme', readonly: true },
      { op: 'mkdir', target: '/root', mode: 0o755 },
      { op: 'overlay', target: '/usr', lowers: ['/usr'] },
      { op: 'bind', source: '/vmlinuz', target: '/vmlinuz', readonly: true },
    ])
  })
})
