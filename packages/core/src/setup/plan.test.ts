import { describe, expect, it } from 'vitest'
import type { SetupFacts } from './facts.js'
import type { Manifest } from './manifest.js'
import { planSetup, type Step } from './plan.js'
import { APPARMOR_PROFILE, DELEGATE_DROP_IN, PATHS } from './texts.js'
import { planUndo } from './undo.js'

const SHA = 'a'.repeat(64)

/** Ubuntu 24.04 as GitHub's runner image has it: the userns restriction on, linger on, memory and pids delegated. */
function ubuntu2404(over: Partial<SetupFacts> = {}): SetupFacts {
  return {
    root: true,
    user: { name: 'runner', uid: 1001 },
    cgroupLayout: 'v2',
    wsl: false,
    systemd: true,
    userManager: { delegated: ['cpu', 'memory', 'pids'], running: true, linger: true, session: false },
    apparmor: { restrictUserns: '1', enabled: true, abi4: true, parser: true, loaded: false },
    launcher: { source: '/proj/node_modules/@testcell/core/prebuilt/linux-x64/testcell-launcher', sha256: SHA },
    existing: { launcherSha256: null, profile: null, dropIn: null, sysctl: null, dirs: ['/usr/local/libexec', PATHS.dropInDir] },
    manifest: null,
    ...over,
  }
}
const kinds = (steps: Step[]) => steps.map((s) => ('path' in s ? `${s.kind} ${s.path}` : s.kind))
const options = { sysctl: false, apparmor: false }

describe('planSetup', () => {
  it('Ubuntu ≥ 23.10: a root-owned launcher copy and a profile naming only it, loaded', () => {
    const plan = planSetup(ubuntu2404(), options)
    expect(kinds(plan.steps)).toEqual([`mkdir ${PATHS.launcherDir}`, 'install-launcher', `write-file ${PATHS.profile}`, 'load-profile'])
    expect(APPARMOR_PROFILE).toContain('profile testcell /usr/local/libexec/testcell/testcell-launcher flags=(unconfined) {\n  userns,')
    expect(APPARMOR_PROFILE).not.toContain('node_modules/')
    expect(plan.notes.join('\n')).toMatch(/delegates cpu memory pids to runner/)
  })

  it('a second run, with everything in place, changes nothing', () => {
    const done = ubuntu2404({
      apparmor: { restrictUserns: '1', enabled: true, abi4: true, parser: true, loaded: true },
      existing: {
        launcherSha256: SHA,
        profile: APPARMOR_PROFILE,
        dropIn: null,
        sysctl: null,
        dirs: ['/usr/local/libexec', PATHS.launcherDir, PATHS.dropInDir],
      },
    })
    expect(planSetup(done, options).steps).toEqual([])
  })

  it('an upgraded package replaces the copy (hash differs) and reloads the profile', () => {
    const upgraded = ubuntu2404({
      apparmor: { restrictUserns: '1', enabled: true, abi4: true, parser: true, loaded: true },
      existing: { launcherSha256: 'b'.repeat(64), profile: APPARMOR_PROFILE, dropIn: null, sysctl: null, dirs: ['/usr/local/libexec', PATHS.launcherDir] },
    })
    expect(kinds(planSetup(upgraded, options).steps)).toEqual(['install-launcher', 'load-profile'])
  })

  it('a kernel without the restriction (Debian, 22.04) gets no AppArmor change unless --apparmor asks', () => {
    const debian = ubuntu2404({ apparmor: { restrictUserns: null, enabled: true, abi4: true, parser: true, loaded: false } })
    const plan = planSetup(debian, options)
    expect(plan.steps).toEqual([])
    expect(plan.notes[0]).toMatch(/does not restrict unprivileged user namespaces/)
    expect(kinds(planSetup(debian, { ...options, apparmor: true }).steps)).toContain('install-launcher')
  })

  it('--sysctl is opt-in, persisted, and remembers the value it replaced', () => {
    const steps = planSetup(ubuntu2404(), { ...options, sysctl: true }).steps
    expect(steps).toContainEqual({ kind: 'set-sysctl', name: 'kernel.apparmor_restrict_unprivileged_userns', value: '0', previous: '1' })
    expect(kinds(steps)).toContain(`write-file ${PATHS.sysctl}`)
    expect(kinds(planSetup(ubuntu2404(), options).steps).join()).not.toContain('sysctl')
  })

  it('a user manager without memory delegated: the drop-in, a reload, a restart; linger where no session exists', () => {
    const facts = ubuntu2404({
      apparmor: { restrictUserns: null, enabled: false, abi4: false, parser: false, loaded: false },
      userManager: { delegated: ['cpu'], running: true, linger: false, session: false },
    })
    const plan = planSetup(facts, options)
    expect(plan.steps).toEqual([
      { kind: 'write-file', path: PATHS.dropIn, text: DELEGATE_DROP_IN },
      { kind: 'daemon-reload' },
      { kind: 'restart-user-manager', uid: 1001 },
      { kind: 'enable-linger', user: 'runner' },
    ])
    expect(DELEGATE_DROP_IN).toMatch(/^\[Service\]\nDelegate=pids memory$/m)
  })

  it('a user with a login session needs no linger', () => {
    const facts = ubuntu2404({ userManager: { delegated: ['memory', 'pids'], running: true, linger: false, session: true } })
    expect(kinds(planSetup(facts, options).steps)).not.toContain('enable-linger')
  })

  it('never creates or chowns cgroups: no step touches /sys/fs/cgroup', () => {
    const facts = ubuntu2404({ userManager: { delegated: [], running: false, linger: false, session: false } })
    expect(JSON.stringify(planSetup(facts, { sysctl: true, apparmor: true }).steps)).not.toContain('/sys/fs/cgroup')
  })

  it.each([
    [false, /kernelCommandLine = cgroup_no_v1=all|cgroup_no_v1=all on the kernel command line/],
    [true, /\.wslconfig.*wsl --shutdown/],
  ])('cgroup v1 or hybrid (wsl %s): says rootless limits need v2 and how to switch, changes nothing', (wsl, how) => {
    const plan = planSetup(
      ubuntu2404({ cgroupLayout: 'hybrid', wsl, apparmor: { restrictUserns: null, enabled: false, abi4: false, parser: false, loaded: false } }),
      options,
    )
    expect(plan.steps).toEqual([])
    expect(plan.notes.join('\n')).toMatch(how)
  })

  it('without systemd as PID 1: says delegation does not apply, changes nothing', () => {
    const plan = planSetup(
      ubuntu2404({ systemd: false, userManager: null, apparmor: { restrictUserns: null, enabled: false, abi4: false, parser: false, loaded: false } }),
      options,
    )
    expect(plan.steps).toEqual([])
    expect(plan.notes.join('\n')).toMatch(/it is not PID 1 here/)
  })
})

describe('planUndo', () => {
  it('takes back exactly what the manifest recorded, newest first, then reloads and restarts', () => {
    const manifest: Manifest = {
      version: 1,
      changes: [
        { kind: 'dir', path: PATHS.launcherDir },
        { kind: 'file', path: PATHS.launcher, sha256: SHA },
        { kind: 'file', path: PATHS.profile, sha256: SHA },
        { kind: 'apparmor-profile', name: 'testcell', file: PATHS.profile },
        { kind: 'file', path: PATHS.dropIn, sha256: SHA },
        { kind: 'user-manager-restarted', uid: 1001 },
        { kind: 'linger', user: 'runner' },
      ],
    }
    expect(kinds(planUndo(manifest))).toEqual([
      'disable-linger',
      `remove-file ${PATHS.dropIn}`,
      'unload-profile',
      `remove-file ${PATHS.profile}`,
      `remove-file ${PATHS.launcher}`,
      `rmdir ${PATHS.launcherDir}`,
      'daemon-reload',
      'restart-user-manager',
    ])
  })

  it('restores the sysctl value it replaced', () => {
    expect(planUndo({ version: 1, changes: [{ kind: 'sysctl', name: 'kernel.x', previous: '1' }] })).toEqual([
      { kind: 'set-sysctl', name: 'kernel.x', value: '1', previous: '' },
    ])
  })

  it('nothing recorded, nothing to undo', () => {
    expect(planUndo(null)).toEqual([])
  })
})

describe('runSetup off Linux', () => {
  it('says containers need Linux and changes nothing', async () => {
    const { runSetup } = await import('./setup.js')
    const lines: string[] = []
    expect(runSetup({ user: 'me', undo: false, dryRun: false, sysctl: false, apparmor: false }, (l) => lines.push(l), 'darwin')).toBe(0)
    expect(lines.join('\n')).toMatch(/nothing to do on darwin: containers need Linux/)
  })
})
