import { describe, expect, it } from 'vitest'
import type { LauncherFailure } from '../errors.js'
import type { HostFacts } from '../host/facts.js'
import { classifyProbeFailure } from './classify.js'

function facts(
  over: Partial<Omit<HostFacts, 'security' | 'sysctls'>> & { security?: Partial<HostFacts['security']>; sysctls?: Partial<HostFacts['sysctls']> } = {},
): HostFacts {
  const { security, sysctls, ...rest } = over
  return {
    platform: 'linux',
    kernel: '6.8.0',
    uid: 1001,
    user: 'runner',
    privilege: 'rootless',
    apparmor: { enabled: true, abi4: true },
    container: null,
    ci: null,
    runnerImage: null,
    devcontainer: false,
    wsl: false,
    systemd: true,
    cgroupReadOnly: false,
    ...rest,
    security: { seccomp: 0, noNewPrivs: false, capSysAdmin: false, label: 'unconfined', ...security },
    sysctls: {
      'kernel.apparmor_restrict_unprivileged_userns': null,
      'kernel.apparmor_restrict_unprivileged_unconfined': null,
      'kernel.unprivileged_userns_clone': '1',
      'user.max_user_namespaces': '63000',
      ...sysctls,
    },
  }
}

const fail = (stage: string, syscall: string, errname: string, path?: string): LauncherFailure => ({
  stage,
  syscall,
  errname,
  errno: { EPERM: 1, ENOENT: 2, EACCES: 13, EINVAL: 22, ENOSPC: 28, ENOSYS: 38, EROFS: 30 }[errname] ?? 0,
  ...(path ? { path } : {}),
  message: `cannot do ${stage}`,
})

describe('classifyProbeFailure: the errno table', () => {
  it.each([
    // [what, mode, failure, facts, cause]
    [
      'Docker seccomp: clone EPERM under a filter',
      'userns',
      fail('clone', 'clone', 'EPERM'),
      facts({ container: 'docker', security: { seccomp: 2 } }),
      'seccomp',
    ],
    ['Docker seccomp as root', 'root', fail('clone', 'clone', 'EPERM'), facts({ privilege: 'root', uid: 0, security: { seccomp: 2 } }), 'seccomp'],
    [
      'Docker seccomp: pivot_root is never allowed',
      'root',
      fail('pivot', 'pivot_root', 'EPERM', '/tmp'),
      facts({ security: { seccomp: 2, capSysAdmin: true } }),
      'seccomp',
    ],
    ['clone3 ENOSYS under a filter', 'userns', fail('clone', 'clone3', 'ENOSYS'), facts({ security: { seccomp: 2 } }), 'seccomp'],
    [
      'root without CAP_SYS_ADMIN, no filter',
      'root',
      fail('clone', 'clone', 'EPERM'),
      facts({ privilege: 'root', uid: 0, security: { capSysAdmin: false } }),
      'no-cap-sys-admin',
    ],
    [
      'docker-default AppArmor: mount EACCES',
      'userns',
      fail('mount', 'mount', 'EACCES', '/'),
      facts({ security: { label: 'docker-default (enforce)' } }),
      'lsm-mount',
    ],
    ['masked /proc: fresh proc EPERM in a user namespace', 'userns', fail('mount', 'mount', 'EPERM', '/proc'), facts({ container: 'docker' }), 'masked-proc'],
    [
      'confined profile without userns: clone EACCES',
      'userns',
      fail('clone', 'clone', 'EACCES'),
      facts({ security: { label: 'ci-job (enforce)' } }),
      'apparmor-userns',
    ],
    [
      'Ubuntu: mount EACCES after the transition',
      'userns',
      fail('mount', 'mount', 'EACCES', '/'),
      facts({ sysctls: { 'kernel.apparmor_restrict_unprivileged_userns': '1' } }),
      'ubuntu-userns-restriction',
    ],
    [
      'Ubuntu: uid_map EPERM',
      'userns',
      fail('idmap', 'write', 'EPERM', '/proc/42/uid_map'),
      facts({ sysctls: { 'kernel.apparmor_restrict_unprivileged_userns': '1' } }),
      'ubuntu-userns-restriction',
    ],
    [
      'Ubuntu, older mode: creation denied outright',
      'userns',
      fail('clone', 'clone', 'EACCES'),
      facts({ sysctls: { 'kernel.apparmor_restrict_unprivileged_userns': '1' } }),
      'ubuntu-userns-restriction',
    ],
    [
      'Ubuntu: the namespaces cloned with the user namespace need capabilities it no longer has',
      'userns',
      fail('clone', 'clone', 'EPERM'),
      facts({ sysctls: { 'kernel.apparmor_restrict_unprivileged_userns': '1' } }),
      'ubuntu-userns-restriction',
    ],
    [
      'the simulated Ubuntu profile, clone EPERM',
      'userns',
      fail('clone', 'clone', 'EPERM'),
      facts({ security: { label: 'unprivileged_userns (enforce)' } }),
      'ubuntu-userns-restriction',
    ],
    [
      'the simulated Ubuntu profile (label unprivileged_userns)',
      'userns',
      fail('mount', 'mount', 'EACCES', '/'),
      facts({ security: { label: 'unprivileged_userns (enforce)' } }),
      'ubuntu-userns-restriction',
    ],
    ['Debian sysctl off', 'userns', fail('clone', 'clone', 'EPERM'), facts({ sysctls: { 'kernel.unprivileged_userns_clone': '0' } }), 'userns-clone-disabled'],
    ['max_user_namespaces=0', 'userns', fail('clone', 'clone', 'ENOSPC'), facts({ sysctls: { 'user.max_user_namespaces': '0' } }), 'max-user-namespaces'],
    [
      'max_user_namespaces=0 reported as EPERM',
      'userns',
      fail('clone', 'clone', 'EPERM'),
      facts({ sysctls: { 'user.max_user_namespaces': '0' } }),
      'max-user-namespaces',
    ],
    ['no CONFIG_USER_NS', 'userns', fail('clone', 'clone', 'EINVAL'), facts(), 'no-userns-support'],
  ] as const)('%s', (_what, mode, failure, hostFacts, cause) => {
    const finding = classifyProbeFailure({ mode, failure }, hostFacts)
    expect(finding.cause).toBe(cause)
    expect(finding.severity).toBe('error')
    expect(finding.evidence).toContain(failure.errname)
  })

  it('root is exempt from Ubuntu: a root mount EACCES with the sysctl on is an LSM mount denial', () => {
    const root = facts({
      privilege: 'root',
      uid: 0,
      security: { label: 'docker-default (enforce)' },
      sysctls: { 'kernel.apparmor_restrict_unprivileged_userns': '1' },
    })
    expect(classifyProbeFailure({ mode: 'root', failure: fail('mount', 'mount', 'EACCES', '/') }, root).cause).toBe('lsm-mount')
  })

  it('names the profile that lacks userns, and what showed it', () => {
    const finding = classifyProbeFailure({ mode: 'userns', failure: fail('clone', 'clone', 'EACCES') }, facts({ security: { label: 'ci-job (enforce)' } }))
    expect(finding.summary).toContain('"ci-job (enforce)"')
    expect(finding.evidence).toMatch(/clone\(\) failed with EACCES at stage clone; LSM label ci-job/)
  })

  it('says so when no known cause matches, with the step and errno', () => {
    const finding = classifyProbeFailure({ mode: 'userns', failure: fail('hostname', 'sethostname', 'EINVAL') }, facts())
    expect(finding.cause).toBe('unknown')
    expect(finding.evidence).toContain('sethostname() failed with EINVAL')
  })
})
