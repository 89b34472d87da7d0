import type { CgroupIssue, CgroupIssueCause } from '../cgroup/parent.js'
import type { LauncherFailure } from '../errors.js'
import type { HostFacts } from '../host/facts.js'

/** Why containers cannot run: one stable id per cause in the errno table (docs: README "Where it runs"). */
export type ContainerCause =
  | 'not-linux'
  | 'launcher-missing'
  | 'seccomp'
  | 'apparmor-userns'
  | 'ubuntu-userns-restriction'
  | 'lsm-mount'
  | 'no-cap-sys-admin'
  | 'masked-proc'
  | 'userns-clone-disabled'
  | 'max-user-namespaces'
  | 'no-userns-support'
  | 'overlay-unsupported'
  | 'unknown'

export type Cause = ContainerCause | CgroupIssueCause

export interface Finding {
  cause: Cause
  /** `error`: containers cannot run; `warning`: they run, but runs that ask for a memory or pids limit are refused. */
  severity: 'error' | 'warning'
  /** What is wrong, in one sentence. */
  summary: string
  /** What showed it: the failing step, errno, and the status lines or sysctls that decided the cause. */
  evidence: string
}

/** The launcher's failure in probe mode `userns` (rootless, or root trying the rootless path) or `root`. */
export interface ProbeFailure {
  mode: 'root' | 'userns'
  failure: LauncherFailure
}

/** Tells apart why the probe container failed, from its structured failure record and the host's facts. */
export function classifyProbeFailure({ mode, failure }: ProbeFailure, facts: HostFacts): Finding {
  const { stage, errname } = failure
  const step = `${failure.syscall ?? stage}(${failure.path ?? ''}) failed with ${errname ?? `errno ${failure.errno ?? '?'}`} at stage ${stage}`
  const sec = facts.security
  const seccompLine = `Seccomp: ${sec.seccomp ?? '?'}`
  const label = sec.label ?? 'none'
  const confined = sec.label !== null && !/^unconfined\b/.test(sec.label)
  const restrict = facts.sysctls['kernel.apparmor_restrict_unprivileged_userns']
  const ubuntu = mode === 'userns' && facts.privilege === 'rootless' && (restrict === '1' || /^unprivileged_userns\b/.test(label))
  const error = (cause: ContainerCause, summary: string, why: string): Finding => ({ cause, severity: 'error', summary, evidence: `${step}; ${why}` })

  if (sec.seccomp === 2 && (errname === 'EPERM' || errname === 'ENOSYS') && ['clone', 'mount', 'pivot', 'hostname', 'network'].includes(stage)) {
    return error(
      'seccomp',
      "the container's seccomp profile refuses what testcell needs (namespaces, mount, pivot_root)",
      `this process runs under a seccomp filter (${seccompLine}${sec.noNewPrivs ? ', NoNewPrivs: 1' : ''}), as Docker's default profile does`,
    )
  }
  if (stage === 'clone' && errname === 'EPERM' && mode === 'userns' && facts.sysctls['kernel.unprivileged_userns_clone'] === '0') {
    return error('userns-clone-disabled', 'unprivileged user namespaces are switched off', 'kernel.unprivileged_userns_clone = 0')
  }
  // Ubuntu moves the process into its unprivileged_userns profile as the namespace is made, and that profile
  // denies every capability: the namespaces cloned with it (mount, pid, ...) then fail with EPERM.
  if (ubuntu && ['clone', 'idmap', 'mount'].includes(stage) && (errname === 'EPERM' || errname === 'EACCES')) {
    return error(
      'ubuntu-userns-restriction',
      'AppArmor restricts unprivileged user namespaces on this host (Ubuntu ≥ 23.10): it takes every capability away inside them',
      restrictEvidence(restrict, label),
    )
  }
  if (stage === 'clone') {
    if (errname === 'EACCES') {
      if (restrict === '1') {
        return error(
          'ubuntu-userns-restriction',
          'AppArmor restricts unprivileged user namespaces on this host (Ubuntu ≥ 23.10)',
          restrictEvidence(restrict, label),
        )
      }
      return error(
        'apparmor-userns',
        confined
          ? `the AppArmor profile "${label}" does not allow user namespaces (no \`userns,\` rule)`
          : 'a security module refused to create a user namespace',
        `LSM label ${label}`,
      )
    }
    if (errname === 'ENOSPC' || errname === 'EUSERS') {
      const max = facts.sysctls['user.max_user_namespaces']
      return error(
        'max-user-namespaces',
        'no user namespace may be created: user.max_user_namespaces is 0 or the nesting limit is reached',
        `user.max_user_namespaces = ${max ?? '?'}`,
      )
    }
    if (errname === 'EINVAL')
      return error('no-userns-support', 'this kernel cannot create user namespaces (CONFIG_USER_NS is off)', 'clone rejected the namespace flags')
    if (errname === 'EPERM') {
      if (mode === 'root' && sec.capSysAdmin === false) {
        return error(
          'no-cap-sys-admin',
          'root here lacks CAP_SYS_ADMIN, which creating namespaces and mounts needs',
          `CapEff has no CAP_SYS_ADMIN; ${seccompLine}`,
        )
      }
      if (facts.sysctls['user.max_user_namespaces'] === '0') {
        return error('max-user-namespaces', 'no user namespace may be created: user.max_user_namespaces is 0', 'user.max_user_namespaces = 0')
      }
    }
  }
  if (stage === 'mount') {
    if (errname === 'EPERM' && failure.path === '/proc' && mode === 'userns') {
      return error(
        'masked-proc',
        'a fresh /proc cannot be mounted: the outer container masks /proc paths (locked overmounts), and testcell never shows the outer /proc instead',
        'the kernel refuses a new procfs in a user namespace while parts of the visible /proc are covered',
      )
    }
    if (errname === 'EACCES') {
      return error(
        'lsm-mount',
        confined
          ? `the security profile "${label}" refuses mounts (Docker's default AppArmor profile has \`deny mount\`)`
          : 'a security module (AppArmor or SELinux) refuses mounts',
        `LSM label ${label}`,
      )
    }
    if (errname === 'EPERM' && mode === 'root' && sec.capSysAdmin === false) {
      return error('no-cap-sys-admin', 'root here lacks CAP_SYS_ADMIN, which mounts need', 'CapEff has no CAP_SYS_ADMIN')
    }
    if (errname === 'EINVAL' && failure.message.includes('overlay')) {
      return error('overlay-unsupported', 'overlayfs refused a layer (rootless overlay needs Linux ≥ 5.11)', `kernel ${facts.kernel}`)
    }
  }
  if (stage === 'pivot' && errname === 'EACCES') {
    return error('lsm-mount', `the security profile "${label}" refuses pivot_root`, `LSM label ${label}`)
  }
  return error('unknown', `container setup failed: ${failure.message}`, 'no known cause matches; the step and errno above are what the kernel said')
}

function restrictEvidence(restrict: string | null, label: string): string {
  const parts = [`kernel.apparmor_restrict_unprivileged_userns = ${restrict ?? 'absent'}`]
  if (/^unprivileged_userns\b/.test(label)) parts.push(`this process runs under the "${label}" profile`)
  return parts.join('; ')
}

/** cgroup issues are warnings: containers still run, but a run asking for a limit is refused (never run uncapped). */
export function cgroupFinding(issue: CgroupIssue): Finding {
  return {
    cause: issue.cause,
    severity: issue.cause === 'not-linux' ? 'error' : 'warning',
    summary: `memory and pids limits are not available: ${issue.message}`,
    evidence: issue.message,
  }
}
