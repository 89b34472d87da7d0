import { release } from 'node:os'
import { type HostFacts, readHostFacts } from '../host/facts.js'
import { type HostInfo, hostInfo } from '../host/host-info.js'
import { INSTALLED_LAUNCHER } from '../launcher/installed-copy.js'
import { locateLauncher } from '../launcher/locate.js'
import { cgroupFinding, classifyProbeFailure, type Finding } from './classify.js'
import { type FixBlock, fixBlock } from './fixes.js'
import { describeHost, type HostDescription } from './host-kind.js'
import { type ProbeResult, probeContainer } from './probe.js'

export interface DoctorCheck {
  name: string
  ok: boolean
  detail: string
  /** What to do about it, for failed checks. */
  fix?: string
}

export interface DoctorReport {
  platform: NodeJS.Platform
  mode: 'root' | 'rootless'
  /** Root in `rootless` mode: root without CAP_SYS_ADMIN and CAP_NET_ADMIN (a container), in a user namespace. */
  uid: number
  host: HostDescription
  kernel: string
  /** One line per capability checked. */
  checks: DoctorCheck[]
  /** Why something does not work, one per cause, worst first. */
  findings: Finding[]
  /** One copy-paste block that fixes the findings on this kind of host. */
  fix: FixBlock | null
  /** Containers can run here (without memory and pids limits if `canCapMemory` is false). */
  canRun: boolean
  canCapMemory: boolean
}

export interface DoctorOptions {
  /** Defaults to `process.platform`; tests pass another to see what a Mac or Windows user gets. */
  platform?: NodeJS.Platform
  env?: NodeJS.ProcessEnv
  host?: HostInfo
  facts?: HostFacts
}

/**
 * The checks `testcell doctor` prints; the Vitest plugin uses them to explain an unsupported host. Changes
 * nothing on the host: facts are read, and the probe container runs without a cgroup.
 */
export async function runDoctor(options: DoctorOptions = {}): Promise<DoctorReport> {
  const env = options.env ?? process.env
  const host = options.host ?? hostInfo(env, options.platform ?? process.platform)
  if (host.platform !== 'linux') return offLinuxReport(host)
  const facts = options.facts ?? readHostFacts(env, host.mounts)
  const checks: DoctorCheck[] = [{ name: 'kernel', ok: true, detail: `Linux ${host.kernel}` }]
  const findings: Finding[] = []

  const launcher = launcherCheck(env)
  checks.push(launcher)
  let canRun = false
  if (launcher.ok) {
    const modes: ProbeResult['mode'][] = host.privilege === 'root' ? ['root', 'userns'] : ['userns']
    const probes = await Promise.all(modes.map((mode) => probeContainer(host, mode)))
    for (const probe of probes) checks.push({ name: `container (${probeLabel(probe.mode, host)})`, ok: probe.ok, detail: probe.detail })
    const primary = probes[0]!
    canRun = primary.ok
    if (!primary.ok) {
      findings.push(
        primary.failure
          ? classifyProbeFailure({ mode: primary.mode, failure: primary.failure }, facts)
          : { cause: 'unknown', severity: 'error', summary: primary.detail, evidence: 'the launcher reported no failure record' },
      )
    }
  } else {
    findings.push({ cause: 'launcher-missing', severity: 'error', summary: launcher.detail, evidence: 'no launcher binary found' })
  }

  const cg = host.cgroups
  checks.push({ name: 'cgroups', ok: cg.layout !== 'none', detail: `layout ${cg.layout}, memory controller at ${cg.memoryAt ?? 'nowhere'}` })
  checks.push({
    name: 'memory and pids limits',
    ok: cg.driver !== null,
    detail: cg.driver ? `usable (${describeParent(host)})` : 'not available to this user',
    ...(cg.driver ? {} : { fix: cg.problems.join('; ') }),
  })
  findings.push(...cg.issues.map(cgroupFinding))
  const described = describeHost(facts)
  return {
    platform: host.platform,
    mode: host.privilege,
    uid: host.uid,
    host: described,
    kernel: host.kernel,
    checks,
    findings,
    fix: fixBlock(findings, described, { user: facts.user, uid: facts.uid, label: facts.security.label }),
    canRun,
    canCapMemory: canRun && cg.driver !== null,
  }
}

function probeLabel(mode: ProbeResult['mode'], host: HostInfo): string {
  if (mode === 'root') return 'root'
  return host.privilege === 'root' || host.uid === 0 ? 'user namespace' : 'rootless'
}

function describeParent(host: HostInfo): string {
  const { driver, parent } = host.cgroups
  if (!driver) return ''
  if (!parent) return `cgroup v${driver.version} under ${driver.parents.join(', ')}`
  switch (parent.kind) {
    case 'explicit':
      return `cgroup v2 under TESTCELL_CGROUP_PARENT ${parent.dir}`
    case 'root':
      return `cgroup v2 under the root cgroup ${parent.dir}`
    case 'nest':
      return `cgroup v2 under ${parent.dir}, after moving its processes into ${parent.dir}/supervisor`
    case 'systemd-scope':
      return `cgroup v2 in a delegated scope from ${parent.manager === 'user' ? "the user's systemd manager" : 'systemd'} (${parent.busAddress}), made on the first container`
  }
}

function launcherCheck(env: NodeJS.ProcessEnv): DoctorCheck {
  try {
    const path = locateLauncher(env)
    return { name: 'launcher', ok: true, detail: path === INSTALLED_LAUNCHER ? `${path} (the root-owned copy testcell setup installed)` : path }
  } catch (error) {
    return { name: 'launcher', ok: false, detail: (error as Error).message }
  }
}

function offLinuxReport(host: HostInfo): DoctorReport {
  const findings = host.cgroups.issues.map(cgroupFinding)
  const described = describeHost({ platform: host.platform, container: null, ci: null, devcontainer: false, wsl: false, runnerImage: null })
  return {
    platform: host.platform,
    mode: host.privilege,
    uid: host.uid,
    host: described,
    kernel: release(),
    checks: [{ name: 'kernel', ok: false, detail: `${described.label} is not Linux: testcell containers need Linux` }],
    findings,
    fix: fixBlock(findings, described, { user: '', uid: host.uid, label: null }),
    canRun: false,
    canCapMemory: false,
  }
}
