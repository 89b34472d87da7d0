import { describe, expect, it } from 'vitest'
import type { CgroupFs } from './cgroup-fs.js'
import { chooseParent, type ParentInput } from './parent.js'

/** A cgroup tree on paper: files with contents, writable directories, this process's cgroup. */
function fakeFs(files: Record<string, string>, writable: string[], self: string): CgroupFs {
  return {
    read: (path) => files[path] ?? null,
    writable: (dir) => writable.includes(dir),
    exists: (path) => path in files || Object.keys(files).some((f) => f.startsWith(`${path}/`)),
    ownCgroup: () => self,
  }
}

const M = '/sys/fs/cgroup'
const input = (fs: CgroupFs, over: Partial<ParentInput> = {}): ParentInput => ({
  privilege: 'rootless',
  uid: 1001,
  mount: M,
  readOnly: false,
  env: { USER: 'runner' },
  fs,
  ...over,
})
const userManager = `${M}/user.slice/user-1001.slice/user@1001.service`
const runner = `${M}/system.slice/runner.service`

describe('chooseParent (cgroup v2): decided without writing anything', () => {
  it('rootless in a root-owned service cgroup (GitHub runner) asks the user manager for a scope', () => {
    const fs = fakeFs({ [`${userManager}/cgroup.controllers`]: 'cpu memory pids', '/run/user/1001/bus': '' }, [], '/system.slice/runner.service')
    expect(chooseParent(input(fs))).toEqual({ kind: 'systemd-scope', manager: 'user', busAddress: 'unix:path=/run/user/1001/bus', mount: M })
  })

  it('uses $XDG_RUNTIME_DIR for the bus when it is set', () => {
    const fs = fakeFs({ [`${userManager}/cgroup.controllers`]: 'memory pids', '/xdg/bus': '' }, [], '/system.slice/runner.service')
    expect(chooseParent(input(fs, { env: { XDG_RUNTIME_DIR: '/xdg' } }))).toMatchObject({ busAddress: 'unix:path=/xdg/bus' })
  })

  it('no user manager: says so and gives the linger command for this user', () => {
    const fs = fakeFs({}, [], '/system.slice/runner.service')
    expect(chooseParent(input(fs))).toMatchObject({ cause: 'no-user-manager', fix: expect.stringContaining('sudo loginctl enable-linger runner') })
  })

  it('a user manager without a bus socket: names $XDG_RUNTIME_DIR/bus', () => {
    const fs = fakeFs({ [`${userManager}/cgroup.controllers`]: 'memory pids', '/run/user/1001/x': '' }, [], '/system.slice/runner.service')
    expect(chooseParent(input(fs))).toMatchObject({ cause: 'no-user-bus', message: expect.stringContaining('/run/user/1001/bus') })
  })

  it('a manager without memory delegated: names what is missing and the setup line', () => {
    const fs = fakeFs({ [`${userManager}/cgroup.controllers`]: 'cpu', '/run/user/1001/bus': '' }, [], '/system.slice/runner.service')
    expect(chooseParent(input(fs))).toMatchObject({
      cause: 'controllers-not-delegated',
      message: expect.stringContaining('memory and pids'),
      fix: expect.stringContaining('testcell setup --user runner'),
    })
  })

  it('a cgroup delegated to this user (Delegate= service) is nested in, not replaced', () => {
    const fs = fakeFs({ [`${runner}/cgroup.controllers`]: 'memory pids' }, [runner], '/system.slice/runner.service')
    expect(chooseParent(input(fs))).toEqual({ kind: 'nest', dir: runner, why: 'delegated' })
  })

  it('a writable cgroup whose parent is writable too (inside user@) is not taken as delegated', () => {
    const app = `${userManager}/app.slice/term.scope`
    const fs = fakeFs(
      { [`${app}/cgroup.controllers`]: 'memory pids', [`${userManager}/cgroup.controllers`]: 'memory pids', '/run/user/1001/bus': '' },
      [app, `${userManager}/app.slice`],
      '/user.slice/user-1001.slice/user@1001.service/app.slice/term.scope',
    )
    expect(chooseParent(input(fs))).toMatchObject({ kind: 'systemd-scope', manager: 'user' })
  })

  it('a second process below an existing supervisor leaf reuses the nested parent', () => {
    const scope = `${userManager}/app.slice/testcell-9-abc.scope`
    const fs = fakeFs(
      { [`${scope}/cgroup.subtree_control`]: 'memory pids' },
      [scope],
      '/user.slice/user-1001.slice/user@1001.service/app.slice/testcell-9-abc.scope/supervisor',
    )
    expect(chooseParent(input(fs))).toEqual({ kind: 'nest', dir: scope, why: 'nested-already' })
  })

  it('root in a privileged container (private cgroup namespace) does the nesting step at its namespace root', () => {
    const fs = fakeFs({ [`${M}/cgroup.type`]: 'domain', [`${M}/cgroup.controllers`]: 'memory pids' }, [M], '/')
    expect(chooseParent(input(fs, { privilege: 'root', uid: 0 }))).toEqual({ kind: 'nest', dir: M, why: 'cgroup-namespace' })
  })

  it('a container without --privileged (read-only cgroupfs) is refused with the flag to add', () => {
    const fs = fakeFs({ [`${M}/cgroup.type`]: 'domain' }, [], '/')
    expect(chooseParent(input(fs, { privilege: 'root', uid: 0, readOnly: true }))).toMatchObject({
      cause: 'cgroup-readonly',
      fix: expect.stringContaining('--privileged'),
    })
  })

  it('root on a systemd host asks PID 1 for a scope over the system bus', () => {
    const fs = fakeFs({ '/run/systemd/system/x': '', '/run/dbus/system_bus_socket': '' }, [], '/user.slice/user-0.slice/session-1.scope')
    expect(chooseParent(input(fs, { privilege: 'root', uid: 0 }))).toMatchObject({ kind: 'systemd-scope', manager: 'system' })
  })

  it('root at the true root of a host without systemd uses it only when its init enabled memory', () => {
    const enabled = fakeFs({ [`${M}/cgroup.subtree_control`]: 'memory pids' }, [M], '/')
    expect(chooseParent(input(enabled, { privilege: 'root', uid: 0 }))).toEqual({ kind: 'root', dir: M })
    const bare = fakeFs({ [`${M}/cgroup.subtree_control`]: '' }, [M], '/')
    expect(chooseParent(input(bare, { privilege: 'root', uid: 0 }))).toMatchObject({
      cause: 'root-controllers-not-enabled',
      message: expect.stringContaining('never changes the root cgroup'),
    })
  })

  it('TESTCELL_CGROUP_PARENT wins, if this user can write it', () => {
    const fs = fakeFs({}, ['/sys/fs/cgroup/mine'], '/x')
    expect(chooseParent(input(fs, { env: { TESTCELL_CGROUP_PARENT: '/sys/fs/cgroup/mine' } }))).toEqual({ kind: 'explicit', dir: '/sys/fs/cgroup/mine' })
    expect(chooseParent(input(fs, { env: { TESTCELL_CGROUP_PARENT: '/sys/fs/cgroup/theirs' } }))).toMatchObject({ cause: 'parent-not-usable' })
  })
})
