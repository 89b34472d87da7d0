import { describe, expect, it } from 'vitest'
import { parseMountInfo } from '../host/mountinfo.js'
import { normalizeOptions } from '../options/container-options.js'
import { buildContainerPlan } from './container-plan.js'
import type { HostTree } from './host-tree.js'
import type { ImageRoot } from './image-root.js'

const mounts = parseMountInfo('27 1 254:0 / / rw - ext4 /dev/vda rw\n22 27 0:21 / /proc rw - proc proc rw\n')
const tree: HostTree = { kind: () => 'dir', list: () => [], readlink: () => '', mode: () => 0o755, accessible: () => true }
const image: ImageRoot = { lowers: ['/store/l/b', '/store/l/a'], nodeRuntime: '/store/node/abc' }

function plan(visiblePaths: string[], privilege: 'root' | 'rootless' = 'root') {
  const config = normalizeOptions({ command: ['/.tc/node'], visiblePaths }, '/proj')
  return buildContainerPlan({ config, privilege, uid: 1000, gid: 100, mounts, tree, cgroup: [], image })
}

describe('image root', () => {
  it('mounts the layers, topmost first, always with userxattr, then returns to the mode for host trees', () => {
    const ops = plan([])
    const root = ops.findIndex((o) => o.op === 'overlay' && o.target === '/')
    expect(ops[root]).toEqual({ op: 'overlay', target: '/', lowers: ['/store/l/b', '/store/l/a'] })
    expect(ops[root - 1]).toEqual({ op: 'overlay-userxattr', enabled: true })
    expect(ops[root + 1]).toEqual({ op: 'overlay-userxattr', enabled: false })
    expect(plan([], 'rootless')).toContainEqual({ op: 'overlay-userxattr', enabled: true })
  })

  it('shows the outermost visible host paths at their own paths, after the private /tmp, and the runtime at /.tc', () => {
    const ops = plan(['/work/proj', '/work/proj/node_modules', '/opt/vitest'])
    const tmp = ops.findIndex((o) => o.op === 'tmpfs' && o.target === '/tmp')
    const overlays = ops.filter((o) => o.op === 'overlay' && o.target !== '/')
    expect(overlays).toEqual([
      { op: 'overlay', target: '/opt/vitest', lowers: ['/opt/vitest'] },
      { op: 'overlay', target: '/work/proj', lowers: ['/work/proj'] },
    ])
    expect(ops.findIndex((o) => o.op === 'overlay' && o.target === '/opt/vitest')).toBeGreaterThan(tmp)
    expect(ops).toContainEqual({ op: 'bind', source: '/store/node/abc', target: '/.tc', readonly: true })
    expect(ops.some((o) => o.op === 'overlay' && o.target === '/' && o.lowers.includes('/'))).toBe(false)
  })
})
