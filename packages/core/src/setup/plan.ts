import type { SetupFacts } from './facts.js'
import { APPARMOR_PROFILE, DELEGATE_DROP_IN, PATHS, PROFILE_NAME, SYSCTL_CONF } from './texts.js'

/** One change to the host. Setup steps first, then the ones `--undo` uses. */
export type Step =
  | { kind: 'mkdir'; path: string }
  | { kind: 'install-launcher'; source: string; sha256: string }
  | { kind: 'write-file'; path: string; text: string }
  | { kind: 'load-profile'; file: string; name: string }
  | { kind: 'daemon-reload' }
  | { kind: 'restart-user-manager'; uid: number }
  | { kind: 'enable-linger'; user: string }
  | { kind: 'set-sysctl'; name: string; value: string; previous: string }
  | { kind: 'remove-file'; path: string; sha256: string }
  | { kind: 'rmdir'; path: string }
  | { kind: 'unload-profile'; file: string; name: string }
  | { kind: 'disable-linger'; user: string }

export interface SetupPlan {
  /** What was checked and needs nothing, or cannot be done here, and why. */
  notes: string[]
  steps: Step[]
}

export interface SetupOptions {
  /** Also turn kernel.apparmor_restrict_unprivileged_userns off, host-wide (opt-in). */
  sysctl: boolean
  /** Install the launcher copy and its profile even where the kernel has no userns restriction sysctl. */
  apparmor: boolean
}

const RESTRICT = 'kernel.apparmor_restrict_unprivileged_userns'

/** What `testcell setup` would change on a host with these facts; empty steps when all is in place. */
export function planSetup(facts: SetupFacts, options: SetupOptions): SetupPlan {
  const plan: SetupPlan = { notes: [], steps: [] }
  planAppArmor(facts, options, plan)
  planSysctl(facts, options, plan)
  planDelegation(facts, plan)
  return plan
}

function planAppArmor(facts: SetupFacts, options: SetupOptions, plan: SetupPlan): void {
  const aa = facts.apparmor
  if (aa.restrictUserns === null && !options.apparmor) {
    plan.notes.push(`AppArmor: nothing to do: this kernel does not restrict unprivileged user namespaces (it has no ${RESTRICT}, an Ubuntu ≥ 23.10 setting)`)
    return
  }
  if (!aa.enabled) return void plan.notes.push('AppArmor: nothing to do: AppArmor is not active on this kernel')
  if (!aa.abi4 || !aa.parser) {
    return void plan.notes.push('AppArmor: cannot add the launcher profile: it needs AppArmor 4 (/etc/apparmor.d/abi/4.0) and apparmor_parser')
  }
  if (!facts.launcher) return void plan.notes.push('AppArmor: cannot install the launcher copy: the testcell launcher was not found')
  const ex = facts.existing
  for (const dir of ['/usr/local/libexec', PATHS.launcherDir]) if (!ex.dirs.includes(dir)) plan.steps.push({ kind: 'mkdir', path: dir })
  const newLauncher = ex.launcherSha256 !== facts.launcher.sha256
  if (newLauncher) plan.steps.push({ kind: 'install-launcher', source: facts.launcher.source, sha256: facts.launcher.sha256 })
  else plan.notes.push(`AppArmor: ${PATHS.launcher} is in place (sha256 ${facts.launcher.sha256.slice(0, 12)}…, the same as the package's launcher)`)
  const newProfile = ex.profile !== APPARMOR_PROFILE
  if (newProfile) plan.steps.push({ kind: 'write-file', path: PATHS.profile, text: APPARMOR_PROFILE })
  if (newProfile || newLauncher || !aa.loaded) plan.steps.push({ kind: 'load-profile', file: PATHS.profile, name: PROFILE_NAME })
  else plan.notes.push(`AppArmor: profile ${PROFILE_NAME} is in ${PATHS.profile} and loaded`)
}

function planSysctl(facts: SetupFacts, options: SetupOptions, plan: SetupPlan): void {
  if (!options.sysctl) return
  const current = facts.apparmor.restrictUserns
  if (current === null) return void plan.notes.push(`--sysctl: nothing to do: this kernel has no ${RESTRICT}`)
  if (facts.existing.sysctl !== SYSCTL_CONF) plan.steps.push({ kind: 'write-file', path: PATHS.sysctl, text: SYSCTL_CONF })
  if (current !== '0') plan.steps.push({ kind: 'set-sysctl', name: RESTRICT, value: '0', previous: current })
  if (facts.existing.sysctl === SYSCTL_CONF && current === '0') plan.notes.push(`--sysctl: ${RESTRICT} is 0 and persisted in ${PATHS.sysctl}`)
}

function planDelegation(facts: SetupFacts, plan: SetupPlan): void {
  const layout = facts.cgroupLayout
  if (layout === 'v1' || layout === 'hybrid') plan.notes.push(v1Note(facts.wsl))
  else if (layout === 'none') plan.notes.push('cgroups: nothing to do: no cgroup v2 hierarchy is mounted, so there is nothing to delegate')
  if (!facts.systemd) {
    plan.notes.push(
      'cgroups: nothing to do for systemd: it is not PID 1 here, so no user manager can hand out delegated scopes (root keeps memory limits; rootless needs TESTCELL_CGROUP_PARENT, a cgroup v2 directory delegated to the user)',
    )
  }
  if (layout !== 'v2' || !facts.systemd) return
  const user = facts.user
  const manager = facts.userManager
  if (!user || !manager) {
    return void plan.notes.push('cgroups: per-user delegation skipped: no user given (--user NAME, or run through sudo, which sets SUDO_USER)')
  }
  const missing = ['memory', 'pids'].filter((c) => !manager.delegated.includes(c))
  if (missing.length === 0) plan.notes.push(`cgroups: user@${user.uid}.service delegates ${manager.delegated.join(' ')} to ${user.name}`)
  else {
    if (!facts.existing.dirs.includes(PATHS.dropInDir)) plan.steps.push({ kind: 'mkdir', path: PATHS.dropInDir })
    if (facts.existing.dropIn !== DELEGATE_DROP_IN) plan.steps.push({ kind: 'write-file', path: PATHS.dropIn, text: DELEGATE_DROP_IN })
    plan.steps.push({ kind: 'daemon-reload' })
    if (manager.running) plan.steps.push({ kind: 'restart-user-manager', uid: user.uid })
  }
  if (manager.linger) plan.notes.push(`cgroups: linger is on for ${user.name}: the user manager runs without a login session`)
  else if (manager.session) plan.notes.push(`cgroups: ${user.name} has a login session, which starts the user manager (no linger needed)`)
  else plan.steps.push({ kind: 'enable-linger', user: user.name })
}

function v1Note(wsl: boolean): string {
  const how = wsl
    ? 'on WSL2 add "[wsl2]" / "kernelCommandLine = cgroup_no_v1=all" to %UserProfile%\\.wslconfig and "[boot]" / "systemd=true" to /etc/wsl.conf, then run `wsl --shutdown` in PowerShell'
    : 'boot with systemd.unified_cgroup_hierarchy=1 cgroup_no_v1=all on the kernel command line'
  return `cgroups: nothing changed: this host mounts the memory controller on cgroup v1, and rootless memory limits need cgroup v2 (root keeps v1 limits). To switch: ${how}`
}
