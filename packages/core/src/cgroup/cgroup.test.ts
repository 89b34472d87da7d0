import { describe, expect, it } from 'vitest'
import { parseMountInfo } from '../host/mountinfo.js'
import { detectCgroups } from './detect.js'
import { parseKeyed } from './files.js'
import { cgroupName, cgroupOwner } from './names.js'

describe('cgroup names', () => {
  it('carry the owner pid so gc can find stale ones', () => {
    expect(cgroupOwner(cgroupName(4242))).toBe(4242)
    expect(cgroupOwner('process_api')).toBeNull()
    expect(cgroupOwner('testcell-12-xyz')).toBeNull()
  })
})

describe('parseKeyed', () => {
  it('reads memory.events and memory.oom_control', () => {
    expect(parseKeyed('oom_kill_disable 0\nunder_oom 0\noom_kill 3\n').get('oom_kill')).toBe(3)
  })
})

describe('detectCgroups', () => {
  const v1 = parseMountInfo(
    '35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n39 31 0:36 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n',
  )

  it('uses the v1 memory and pids hierarchies as root on a hybrid host', () => {
    const found = detectCgroups({ privilege: 'root', mounts: v1 })
    expect(found.layout).toBe('hybrid')
    expect(found.driver?.version).toBe(1)
    expect(found.driver?.parents).toEqual(['/sys/fs/cgroup/memory', '/sys/fs/cgroup/pids'])
  })

  it('refuses rootless on v1 and says why', () => {
    const found = detectCgroups({ privilege: 'rootless', mounts: v1 })
    expect(found.driver).toBeNull()
    expect(found.problems.join()).toMatch(/cgroup v1, which cannot be delegated/)
  })
})
