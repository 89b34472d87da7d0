import { describe, expect, it } from 'vitest'
import { canCapMemory, sh } from '../integration/helpers.js'
import { inside } from './probe.js'

describe('escapes through cgroups', () => {
  it('cgroup escape: mounting a cgroup hierarchy to leave the container’s cgroup', async () => {
    expect(await inside(['mount', '/sys/fs/cgroup', 'cgroup2'])).toMatchObject({ blocked: true, detail: 'EPERM' })
    expect(await inside(['mount', '/mnt', 'cgroup2'])).toMatchObject({ blocked: true, detail: 'EPERM' })
  })

  it('cgroup escape: writing to a cgroup.procs file', async () => {
    expect(await inside(['write', '/sys/fs/cgroup/cgroup.procs', '2'])).toMatchObject({ blocked: true })
    expect(await inside(['write', '/sys/fs/cgroup/memory/cgroup.procs', '2'])).toMatchObject({ blocked: true })
  })

  it.runIf(canCapMemory())('raising its own memory limit', async () => {
    const { stdout } = await sh('cat /proc/self/cgroup', { memory: '64MiB' })
    const own = stdout
      .split('\n')
      .find((l) => /memory|^0::/.test(l))!
      .split(':')[2]!
    for (const file of [`/sys/fs/cgroup/memory${own}/memory.limit_in_bytes`, `/sys/fs/cgroup${own}/memory.max`]) {
      expect(await inside(['write', file, '9999999999'], { memory: '64MiB' })).toMatchObject({ blocked: true })
    }
  })
})
