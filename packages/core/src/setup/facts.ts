import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { CgroupLayout } from '../cgroup/detect.js'
import { detectCgroups } from '../cgroup/detect.js'
import { readHostFacts, readSysctl } from '../host/facts.js'
import { readMountInfo } from '../host/mountinfo.js'
import { sha256File } from '../launcher/installed-copy.js'
import { locateLauncher } from '../launcher/locate.js'
import { type Manifest, readManifest } from './manifest.js'
import { PATHS, PROFILE_NAME } from './texts.js'

export interface SetupUser {
  name: string
  uid: number
}

/** Everything setup decides from, read without changing anything: `planSetup` is a pure function of it. */
export interface SetupFacts {
  root: boolean
  user: SetupUser | null
  cgroupLayout: CgroupLayout
  wsl: boolean
  /** systemd is PID 1. */
  systemd: boolean
  userManager: {
    /** Controllers user@UID.service is configured to delegate (`systemctl show -p DelegateControllers`). */
    delegated: string[]
    running: boolean
    linger: boolean
    /** The user has a login session now. */
    session: boolean
  } | null
  apparmor: {
    /** kernel.apparmor_restrict_unprivileged_userns: null where the kernel has no such sysctl (non-Ubuntu). */
    restrictUserns: string | null
    enabled: boolean
    abi4: boolean
    parser: boolean
    /** The testcell profile is loaded in the kernel. */
    loaded: boolean
  }
  launcher: { source: string; sha256: string } | null
  /** What is on disk at setup's paths now (sha256 of the launcher copy, text of the others). */
  existing: { launcherSha256: string | null; profile: string | null; dropIn: string | null; sysctl: string | null; dirs: string[] }
  manifest: Manifest | null
}

export function readSetupFacts(userName: string | null): SetupFacts {
  const host = readHostFacts()
  const mounts = readMountInfo()
  const user = userName === null ? null : lookupUser(userName)
  return {
    root: host.uid === 0,
    user,
    cgroupLayout: detectCgroups({ privilege: 'root', mounts }).layout,
    wsl: host.wsl,
    systemd: host.systemd,
    userManager: host.systemd && user ? userManager(user) : null,
    apparmor: {
      restrictUserns: readSysctl('kernel.apparmor_restrict_unprivileged_userns'),
      enabled: host.apparmor.enabled,
      abi4: host.apparmor.abi4,
      parser: commandExists('apparmor_parser'),
      loaded: (readText('/sys/kernel/security/apparmor/profiles') ?? '').split('\n').some((l) => l.startsWith(`${PROFILE_NAME} (`)),
    },
    launcher: launcherSource(),
    existing: {
      launcherSha256: existsSync(PATHS.launcher) ? sha256File(PATHS.launcher) : null,
      profile: readText(PATHS.profile),
      dropIn: readText(PATHS.dropIn),
      sysctl: readText(PATHS.sysctl),
      dirs: [PATHS.launcherDir, '/usr/local/libexec', PATHS.dropInDir, PATHS.stateDir].filter((d) => existsSync(d)),
    },
    manifest: readManifest(),
  }
}

function lookupUser(name: string): SetupUser {
  const entry = (readText('/etc/passwd') ?? '').split('\n').find((l) => l.split(':')[0] === name || l.split(':')[2] === name)
  const uid = entry ? Number(entry.split(':')[2]) : Number(run('id', ['-u', name]).stdout.trim() || Number.NaN)
  if (!Number.isInteger(uid)) throw new Error(`no such user: ${name}`)
  return { name: entry?.split(':')[0] ?? name, uid }
}

function userManager(user: SetupUser): NonNullable<SetupFacts['userManager']> {
  const show = run('systemctl', ['show', `user@${user.uid}.service`, '-p', 'Delegate', '-p', 'DelegateControllers', '-p', 'ActiveState'])
  const value = (key: string) => new RegExp(`^${key}=(.*)$`, 'm').exec(show.stdout)?.[1]?.trim() ?? ''
  const delegated = value('Delegate') === 'yes' ? value('DelegateControllers').split(/\s+/).filter(Boolean) : []
  const sessions = run('loginctl', ['show-user', user.name, '-p', 'Sessions', '--value'])
  return {
    delegated,
    running: value('ActiveState') === 'active',
    linger: existsSync(join('/var/lib/systemd/linger', user.name)),
    session: sessions.status === 0 && sessions.stdout.trim() !== '',
  }
}

function launcherSource(): SetupFacts['launcher'] {
  try {
    const source = locateLauncher()
    return { source, sha256: sha256File(source) }
  } catch {
    return null
  }
}

function commandExists(name: string): boolean {
  return ['/usr/sbin', '/sbin', '/usr/bin', '/bin'].some((dir) => existsSync(join(dir, name)))
}

function run(command: string, args: string[]) {
  const result = spawnSync(command, args, { encoding: 'utf8' })
  return { status: result.status ?? -1, stdout: result.stdout ?? '' }
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return null
  }
}
