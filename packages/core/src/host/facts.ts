import { existsSync, readFileSync } from 'node:fs'
import { release, userInfo } from 'node:os'
import type { Privilege } from '../rootfs/host-root.js'
import { type MountEntry, readMountInfo } from './mountinfo.js'

/** The sysctls that decide whether an unprivileged user may create user namespaces. */
export const USERNS_SYSCTLS = [
  'kernel.apparmor_restrict_unprivileged_userns',
  'kernel.apparmor_restrict_unprivileged_unconfined',
  'kernel.unprivileged_userns_clone',
  'user.max_user_namespaces',
] as const
export type UsernsSysctl = (typeof USERNS_SYSCTLS)[number]

/** What confines this process: its seccomp mode, capabilities and LSM label. */
export interface ProcessSecurity {
  /** `Seccomp:` in /proc/self/status: 0 none, 1 strict, 2 filter (a container's profile). */
  seccomp: number | null
  noNewPrivs: boolean | null
  /** CAP_SYS_ADMIN in the effective set. */
  capSysAdmin: boolean | null
  /** The LSM label, e.g. `unconfined`, `docker-default (enforce)`; null where no LSM reports one. */
  label: string | null
}

export type ContainerRuntime = 'docker' | 'podman' | 'other'
export type CiSystem = 'github' | 'gitlab'

/** Facts about where this process runs, read once, without changing anything. Pure data, so checks can be unit-tested. */
export interface HostFacts {
  platform: NodeJS.Platform
  kernel: string
  uid: number
  user: string
  privilege: Privilege
  security: ProcessSecurity
  sysctls: Record<UsernsSysctl, string | null>
  apparmor: {
    /** AppArmor is the active LSM (securityfs shows it). */
    enabled: boolean
    /** `/etc/apparmor.d/abi/4.0` exists: profiles can say `userns,`. */
    abi4: boolean
  }
  /** Inside a container (/.dockerenv, /run/.containerenv, $container), and which runtime made it. */
  container: ContainerRuntime | null
  ci: CiSystem | null
  /** GitHub's runner image (`ImageOS`, e.g. `ubuntu24`). */
  runnerImage: string | null
  devcontainer: boolean
  wsl: boolean
  /** systemd is PID 1 (/run/systemd/system exists). */
  systemd: boolean
  /** Every cgroup filesystem is mounted read-only (a container without --privileged). */
  cgroupReadOnly: boolean
}

/** CAP_SYS_ADMIN and CAP_NET_ADMIN in a `CapEff:` hex mask: what root needs to build containers without a user namespace. */
export function hasFullRootCapabilities(statusText: string): boolean {
  const capEff = /^CapEff:\s*([0-9a-f]+)/m.exec(statusText)?.[1]
  if (capEff === undefined) return true // no such line: assume a plain root
  const mask = BigInt(`0x${capEff}`)
  return (mask & (1n << 21n)) !== 0n && (mask & (1n << 12n)) !== 0n
}

/** Parses the Seccomp, NoNewPrivs and CapEff lines of /proc/self/status. */
export function parseProcStatus(text: string): Omit<ProcessSecurity, 'label'> {
  const field = (name: string) => new RegExp(`^${name}:\\s*(\\S+)`, 'm').exec(text)?.[1]
  const seccomp = field('Seccomp')
  const nnp = field('NoNewPrivs')
  const capEff = field('CapEff')
  return {
    seccomp: seccomp === undefined ? null : Number(seccomp),
    noNewPrivs: nnp === undefined ? null : nnp === '1',
    capSysAdmin: capEff === undefined ? null : (BigInt(`0x${capEff}`) & (1n << 21n)) !== 0n,
  }
}

/** True when every cgroup mount is read-only (what a non-privileged container gets). */
export function cgroupMountsReadOnly(mounts: readonly MountEntry[]): boolean {
  const cgroups = mounts.filter((m) => m.fsType === 'cgroup2' || m.fsType === 'cgroup')
  return cgroups.length > 0 && cgroups.every((m) => m.mountOptions.includes('ro'))
}

export function readSysctl(name: string): string | null {
  return readText(`/proc/sys/${name.replaceAll('.', '/')}`)?.trim() ?? null
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return null
  }
}

function lsmLabel(): string | null {
  // Stacking kernels have a per-LSM file; older ones only the shared one. EINVAL where no LSM keeps labels.
  const label = readText('/proc/self/attr/apparmor/current') ?? readText('/proc/self/attr/current')
  return label?.replace(/\0/g, '').trim() || null
}

function containerRuntime(env: NodeJS.ProcessEnv): ContainerRuntime | null {
  if (existsSync('/run/.containerenv') || env.container === 'podman') return 'podman'
  if (existsSync('/.dockerenv') || env.container === 'docker') return 'docker'
  return env.container ? 'other' : null
}

/** Reads the facts of this Linux host. Reads only: never writes a file, a sysctl or a cgroup. */
export function readHostFacts(env: NodeJS.ProcessEnv = process.env, mounts: readonly MountEntry[] = readMountInfo()): HostFacts {
  const uid = process.getuid?.() ?? -1
  const sysctls = Object.fromEntries(USERNS_SYSCTLS.map((name) => [name, readSysctl(name)])) as HostFacts['sysctls']
  return {
    platform: process.platform,
    kernel: release(),
    uid,
    user: safeUserName(env),
    privilege: uid === 0 ? 'root' : 'rootless',
    security: { ...parseProcStatus(readText('/proc/self/status') ?? ''), label: lsmLabel() },
    sysctls,
    apparmor: {
      enabled: (readText('/sys/module/apparmor/parameters/enabled') ?? '').trim() === 'Y' || existsSync('/sys/kernel/security/apparmor'),
      abi4: existsSync('/etc/apparmor.d/abi/4.0'),
    },
    container: containerRuntime(env),
    ci: env.GITHUB_ACTIONS === 'true' ? 'github' : env.GITLAB_CI ? 'gitlab' : null,
    runnerImage: env.ImageOS ?? null,
    devcontainer: Boolean(env.REMOTE_CONTAINERS || env.CODESPACES || env.DEVCONTAINER),
    wsl: Boolean(env.WSL_DISTRO_NAME) || /microsoft/i.test(readText('/proc/sys/kernel/osrelease') ?? ''),
    systemd: existsSync('/run/systemd/system'),
    cgroupReadOnly: cgroupMountsReadOnly(mounts),
  }
}

function safeUserName(env: NodeJS.ProcessEnv): string {
  try {
    return userInfo().username
  } catch {
    return env.USER ?? String(process.getuid?.() ?? 'unknown')
  }
}
