import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { sh } from '../integration/helpers.js'
import { inside } from './probe.js'

describe('escapes through kernel interfaces', () => {
  it('kmsg', async () => {
    expect(await inside(['read', '/dev/kmsg'])).toMatchObject({ blocked: true, detail: 'ENOENT' })
    expect(await inside(['read', '/proc/kmsg'])).toMatchObject({ blocked: true })
  })

  it('sysrq', async () => {
    // EROFS, or ENOENT on kernels without magic SysRq (this VM's).
    expect(await inside(['write', '/proc/sysrq-trigger', 'h'])).toMatchObject({ blocked: true, detail: expect.stringMatching(/^(EROFS|ENOENT)$/) })
  })

  it('kcore', async () => {
    expect(await inside(['read', '/proc/kcore'])).toMatchObject({ blocked: true })
  })

  it('keyring', async () => {
    expect(await inside(['syscall', 'keyctl'])).toMatchObject({ blocked: true, detail: 'EPERM' })
    expect(await inside(['syscall', 'add_key'])).toMatchObject({ blocked: true, detail: 'EPERM' })
  })

  it('modprobe', async () => {
    // EROFS, or ENOENT on kernels without loadable modules (this VM's).
    expect(await inside(['write', '/proc/sys/kernel/modprobe', '/tmp/pwn'])).toMatchObject({ blocked: true, detail: expect.stringMatching(/^(EROFS|ENOENT)$/) })
    expect(await inside(['syscall', 'init_module'])).toMatchObject({ blocked: true, detail: 'EPERM' })
  })

  it('the payload runs under the seccomp filter (Seccomp: 2), none with seccomp: false', async () => {
    expect((await sh('grep ^Seccomp: /proc/self/status')).stdout).toMatch(/^Seccomp:\s+2$/m)
    // Without it, the payload has what the caller has (0 here; a machine that is itself a container may filter).
    const own = /^Seccomp:\s+(\d)$/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]
    expect((await sh('grep ^Seccomp: /proc/self/status', { seccomp: false })).stdout).toMatch(new RegExp(`^Seccomp:\\s+${own}$`, 'm'))
  })

  it.each(['bpf', 'perf_event_open', 'userfaultfd', 'kexec_load', 'open_by_handle_at', 'io_uring_setup', 'reboot', 'swapon'])(
    'bpf and the other filtered syscalls: %s',
    async (name) => {
      expect(await inside(['syscall', name])).toMatchObject({ blocked: true, detail: 'EPERM' })
    },
  )

  it('new namespaces (a nested sandbox) without seccomp: "nested"', async () => {
    expect(await inside(['syscall', 'unshare-user'])).toMatchObject({ blocked: true, detail: 'EPERM' })
    expect(await inside(['syscall', 'unshare-mount'])).toMatchObject({ blocked: true, detail: 'EPERM' })
    expect(await inside(['syscall', 'unshare-user'], { seccomp: 'nested' })).toMatchObject({ blocked: false })
  })
})
