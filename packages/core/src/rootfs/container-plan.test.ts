import { describe, expect, it } from 'vitest'
import { parseMountInfo } from '../host/mountinfo.js'
import { normalizeOptions } from '../options/container-options.js'
import { buildContainerPlan } from './container-plan.js'
import type { HostTree } from './host-tree.js'

const mounts = parseMountInfo('27 1 254:0 / / rw - ext4 /dev/vda rw\n22 27 0:21 / /proc rw - proc proc rw\n')
const tree: HostTree = { kind: () => 'dir', list: () => [], readlink: () => '', mode: () => 0o755, accessible: () => true }

function plan(options: Parameters<typeof normalizeOptions>[0], privilege: 'root' | 'rootless' = 'root') {
  return buildContainerPlan({ config: normalizeOptions(options, '/proj'), privilege, uid: 1000, gid: 100, mounts, tree, cgroup: [] })
}

describe('buildContainerPlan', () => {
  it('builds namespaces, root, private paths, payload in order', () => {
    const ops = plan({ command: ['node', '-v'], hostname: 'box', ipc: 'advanced' }).map((o) => o.op)
    expect(ops.slice(0, 8)).toEqual(['netns', 'hostname', 'overlay-userxattr', 'mount-tmpfs-root', 'overlay', 'proc', 'dev', 'tmpfs'])
    expect(ops.slice(-5)).toEqual(['cwd', 'keep-fd', 'caps', 'seccomp', 'argv'])
  })

  it('keeps fd 3 for the payload only when it has an IPC channel', () => {
    expect(plan({ command: ['true'], ipc: 'json' })).toContainEqual({ op: 'keep-fd', fd: 3 })
    expect(plan({ command: ['true'] }).some((o) => o.op === 'keep-fd')).toBe(false)
  })

  it('maps the invoking user to root in rootless mode and uses userxattr', () => {
    const ops = plan({ command: ['true'] }, 'rootless')
    expect(ops[0]).toEqual({ op: 'userns', uidMap: '0 1000 1\n', gidMap: '0 100 1\n' })
    expect(ops).toContainEqual({ op: 'overlay-userxattr', enabled: true })
  })

  it('installs the default seccomp filter unless told otherwise', () => {
    expect(plan({ command: ['true'] })).toContainEqual({ op: 'seccomp', mode: 'default' })
    expect(plan({ command: ['true'], seccomp: 'nested' })).toContainEqual({ op: 'seccomp', mode: 'nested' })
    expect(plan({ command: ['true'], seccomp: false }).some((o) => o.op === 'seccomp')).toBe(false)
  })

  it('keeps the host network without a network namespace', () => {
    expect(plan({ command: ['true'], network: 'host' }).some((o) => o.op === 'netns')).toBe(false)
    expect(plan({ command: ['true'], network: 'none' })).toContainEqual({ op: 'netns', mode: 'none' })
  })

  it('overlays a project under /tmp on top of the private /tmp', () => {
    const ops = plan({ command: ['true'], visiblePaths: ['/tmp/work/proj'] })
    const tmp = ops.findIndex((o) => o.op === 'tmpfs' && o.target === '/tmp')
    expect(ops.findIndex((o) => o.op === 'overlay' && o.target === '/tmp/work/proj')).toBeGreaterThan(tmp)
  })

  it('binds volumes after the private paths', () => {
    const ops = plan({ command: ['true'], volumes: ['/proc:/host-proc:ro'] })
    expect(ops).toContainEqual({ op: 'bind', source: '/proc', target: '/host-proc', readonly: true })
  })
})
