import { describe, expect, it } from 'vitest'
import { sh } from '../integration/helpers.js'
import { inside } from './probe.js'

describe('escapes through mounts and the filesystem', () => {
  it('mount a filesystem', async () => {
    expect(await inside(['mount', '/mnt'])).toMatchObject({ blocked: true, detail: 'EPERM' })
  })

  it('remount a read-only path read-write', async () => {
    expect(await inside(['remount-rw', '/proc/sys'])).toMatchObject({ blocked: true, detail: 'EPERM' })
  })

  it('/proc/sys writes', async () => {
    // Read-only (EROFS); rootless the files also belong to an unmapped root (EACCES comes first).
    expect(await inside(['write', '/proc/sys/kernel/hostname', 'pwned'])).toMatchObject({ blocked: true, detail: expect.stringMatching(/^(EROFS|EACCES)$/) })
    expect(await inside(['write', '/proc/sys/vm/drop_caches', '3'])).toMatchObject({ blocked: true })
  })

  it('the old root', async () => {
    expect(await inside(['exists', '/oldroot'])).toMatchObject({ blocked: true, detail: 'ENOENT' })
    // Nothing of the launcher's staging is mounted anywhere (overlay options may still name the lower paths).
    const { stdout } = await sh('cut -d" " -f5 /proc/self/mountinfo')
    expect(stdout.split('\n').filter((point) => /^\/(oldroot|newroot|ovl)(\/|$)/.test(point))).toEqual([])
    expect(await inside(['exists', '/ovl'])).toMatchObject({ blocked: true, detail: 'ENOENT' })
  })
})
