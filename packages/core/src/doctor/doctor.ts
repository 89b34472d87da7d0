import { existsSync, readFileSync } from 'node:fs'
import { launchContainer } from '../container/start.js'
import { describeFailure, LauncherError, TestcellError } from '../errors.js'
import { type HostInfo, hostInfo, readSysctl } from '../host/host-info.js'
import { locateLauncher } from '../launcher/locate.js'
import { normalizeOptions } from '../options/container-options.js'

export interface DoctorCheck {
  name: string
  ok: boolean
  detail: string
  /** What to do about it, for failed checks. */
  fix?: string
}

export interface DoctorReport {
  mode: 'root' | 'rootless'
  checks: DoctorCheck[]
  /** Containers can run here (without a memory cap if `canCapMemory` is false). */
  canRun: boolean
  canCapMemory: boolean
}

/** The same checks `testcell doctor` prints; the Vitest plugin uses them to explain an unsupported host. */
export async function runDoctor(host: HostInfo = hostInfo()): Promise<DoctorReport> {
  const checks: DoctorCheck[] = []
  const linux = process.platform === 'linux'
  checks.push({ name: 'kernel', ok: linux, detail: linux ? `Linux ${host.kernel}` : `${process.platform} is not Linux`, fix: 'testcell needs Linux' })
  if (!linux) return { mode: host.privilege, checks, canRun: false, canCapMemory: false }

  checks.push(...userNamespaceChecks(host))
  checks.push(launcherCheck())
  const probes = host.privilege === 'root' ? [probe(host, 'root'), probe(asUserNamespace(host), 'user namespace')] : [probe(host, 'rootless')]
  const results = await Promise.all(probes)
  checks.push(...results)

  const cg = host.cgroups
  checks.push({ name: 'cgroups', ok: cg.layout !== 'none', detail: `layout ${cg.layout}, memory controller at ${cg.memoryAt ?? 'nowhere'}` })
  const driver = cg.driver
  checks.push({
    name: 'memory and pids limits',
    ok: driver !== null,
    detail: driver ? `usable by this user (cgroup v${driver.version} under ${driver.parents.join(', ')})` : 'not usable by this user',
    ...(driver ? {} : { fix: cg.problems.join('; ') }),
  })
  const canRun = results[0]!.ok
  return { mode: host.privilege, checks, canRun, canCapMemory: canRun && driver !== null }
}

function userNamespaceChecks(host: HostInfo): DoctorCheck[] {
  const checks: DoctorCheck[] = []
  const max = readSysctl('user.max_user_namespaces')
  checks.push({
    name: 'user namespaces',
    ok: max !== '0',
    detail: `user.max_user_namespaces = ${max ?? 'unknown'}`,
    fix: 'sudo sysctl -w user.max_user_namespaces=15000 (persist it in /etc/sysctl.d)',
  })
  const apparmor = readSysctl('kernel.apparmor_restrict_unprivileged_userns')
  if (apparmor === '1' && host.privilege === 'rootless') {
    checks.push({
      name: 'AppArmor',
      ok: false,
      detail: 'kernel.apparmor_restrict_unprivileged_userns = 1 (default on Ubuntu 24.04+)',
      fix: 'sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0 (persist it in /etc/sysctl.d), or run as root',
    })
  }
  const seccomp = /^Seccomp:\s*2/m.test(readFileSync('/proc/self/status', 'utf8'))
  const inContainer = existsSync('/.dockerenv') || existsSync('/run/.containerenv')
  if (seccomp || inContainer) {
    checks.push({
      name: 'outer container',
      ok: true,
      detail: `running ${inContainer ? 'inside a container' : 'under a seccomp filter'}; if namespace creation fails, run the job container with --security-opt seccomp=unconfined --security-opt apparmor=unconfined, or --privileged`,
    })
  }
  return checks
}

function launcherCheck(): DoctorCheck {
  try {
    return { name: 'launcher', ok: true, detail: locateLauncher() }
  } catch (error) {
    return { name: 'launcher', ok: false, detail: (error as Error).message }
  }
}

/** Root probing the rootless path: a user namespace mapping root to root, no cgroup. */
function asUserNamespace(host: HostInfo): HostInfo {
  return { ...host, privilege: 'rootless', cgroups: { ...host.cgroups, driver: null } }
}

async function probe(host: HostInfo, label: string): Promise<DoctorCheck> {
  const name = `container (${label})`
  try {
    const config = normalizeOptions({ command: ['/bin/sh', '-c', 'exit 0'], workdir: '/', visiblePaths: [] })
    const container = launchContainer(config, host)
    const result = await container.result
    const ok = result.exitCode === 0
    return { name, ok, detail: ok ? `namespaces, overlay root and /proc work (${result.durationMs} ms)` : `probe exited ${result.exitCode ?? result.signal}` }
  } catch (error) {
    const detail = error instanceof LauncherError ? describeFailure(error.failure) : (error as Error).message
    return { name, ok: false, detail, ...(TestcellError.is(error) ? { fix: fixFor(error) } : {}) }
  }
}

function fixFor(error: TestcellError): string {
  if (!(error instanceof LauncherError)) return 'see the message above'
  const f = error.failure
  if (f.stage === 'clone' || f.stage === 'idmap') return 'namespace creation was refused: check the user namespace lines above, or run as root'
  if (f.stage === 'mount' && f.errname === 'EINVAL') return 'overlayfs refused a layer: rootless overlay needs Linux >= 5.11 and a lower without other mounts'
  return 'see the launcher error above'
}
