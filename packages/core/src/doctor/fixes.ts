import type { Cause, Finding } from './classify.js'
import type { HostDescription, HostKind } from './host-kind.js'

export interface FixBlock {
  /** Where the text goes, e.g. "GitHub Actions workflow". */
  title: string
  /** Copy-paste text: YAML, TOML, JSON, or shell commands. */
  text: string
}

export interface FixContext {
  user: string
  uid: number
  /** The LSM label of this process (for the AppArmor fix). */
  label: string | null
}

/** Causes fixed by giving the outer container more privileges. */
const CONTAINER_CAUSES = new Set<Cause>(['seccomp', 'lsm-mount', 'apparmor-userns', 'no-cap-sys-admin', 'masked-proc', 'cgroup-readonly', 'parent-not-usable'])
const CONTAINER_KINDS = new Set<HostKind>(['github-container', 'gitlab-container', 'devcontainer', 'podman', 'docker', 'container'])

const FLAGS = ['--cap-add SYS_ADMIN', '--security-opt seccomp=unconfined', '--security-opt apparmor=unconfined', '--security-opt systempaths=unconfined']
const PODMAN_FLAGS = ['--cap-add SYS_ADMIN', '--security-opt seccomp=unconfined', '--security-opt unmask=ALL', '--security-opt label=disable']
const SETUP = 'sudo env "PATH=$PATH" npx testcell setup'

/** One copy-paste block that fixes every finding on this kind of host, or null when nothing needs fixing. */
export function fixBlock(findings: readonly Finding[], host: HostDescription, ctx: FixContext): FixBlock | null {
  if (findings.length === 0) return null
  const causes = new Set(findings.map((f) => f.cause))
  if (causes.has('not-linux')) return notLinux()
  if (CONTAINER_KINDS.has(host.kind) && findings.some((f) => CONTAINER_CAUSES.has(f.cause))) return containerFix(host.kind)
  const lines = [...causes].flatMap((cause) => hostCommands(cause, host, ctx))
  if (lines.length === 0) return null
  const wsl = causes.has('cgroup-v1-rootless') && host.kind === 'wsl'
  return {
    title: wsl ? 'Windows and the WSL2 distribution' : host.kind === 'github-runner' ? 'GitHub Actions workflow' : 'shell, as an administrator',
    text: lines.join('\n'),
  }
}

function containerFix(kind: HostKind): FixBlock {
  const securityOpts = FLAGS.slice(1).map((f) => `"${f.split(' ')[1]}"`)
  switch (kind) {
    case 'github-container':
      return {
        title: 'GitHub Actions workflow (.github/workflows/*.yml)',
        text: [
          'jobs:',
          '  test:',
          '    container:',
          '      image: <your image>',
          '      options: --privileged',
          '      # or, without memory and pids limits:',
          `      # options: ${FLAGS.join(' ')}`,
        ].join('\n'),
      }
    case 'gitlab-container':
      return {
        title: "GitLab runner's config.toml (GitLab.com's hosted Linux runners are already privileged)",
        text: [
          '[[runners]]',
          '  [runners.docker]',
          '    privileged = true',
          '    # or, without memory and pids limits:',
          '    # cap_add = ["SYS_ADMIN"]',
          `    # security_opt = [${securityOpts.join(', ')}]`,
        ].join('\n'),
      }
    case 'devcontainer':
      return {
        title: '.devcontainer/devcontainer.json',
        text: [
          '"privileged": true',
          '// or, without memory and pids limits:',
          '// "capAdd": ["SYS_ADMIN"],',
          `// "securityOpt": [${securityOpts.join(', ')}]`,
        ].join('\n'),
      }
    case 'podman':
      return {
        title: 'podman run flags of the outer container',
        text: ['podman run --privileged …', '# or, without memory and pids limits:', `podman run ${PODMAN_FLAGS.join(' ')} …`].join('\n'),
      }
    default:
      return {
        title: 'docker run flags of the outer container (compose files and CI settings take the same options)',
        text: ['docker run --privileged …', '# or, without memory and pids limits:', `docker run ${FLAGS.join(' ')} …`].join('\n'),
      }
  }
}

function hostCommands(cause: Cause, host: HostDescription, { user, uid, label }: FixContext): string[] {
  switch (cause) {
    case 'ubuntu-userns-restriction':
      return host.kind === 'github-runner'
        ? [
            '# a step before the tests:',
            `- run: ${SETUP}`,
            '# or, since the runner is thrown away after the job:',
            '# - run: sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0',
          ]
        : [`${SETUP}   # a root-owned launcher copy and an AppArmor profile that lets only it create user namespaces`]
    case 'apparmor-userns':
      return [
        `# the AppArmor profile ${label ?? '(unknown)'} confines this process without a \`userns,\` rule: add one to it and reload it`,
        `sudo apparmor_parser -r /etc/apparmor.d/<file of ${label?.split(' ')[0] ?? 'the profile'}>`,
        '# or let that profile start the launcher copy testcell setup installs under its own profile:',
        `${SETUP} --apparmor   # then allow "px /usr/local/libexec/testcell/testcell-launcher," in the confining profile`,
      ]
    case 'userns-clone-disabled':
      return persistSysctl('kernel.unprivileged_userns_clone', '1')
    case 'max-user-namespaces':
      return persistSysctl('user.max_user_namespaces', '15000')
    case 'no-user-manager':
      return [`sudo loginctl enable-linger ${user}`]
    case 'no-user-bus':
      return [
        'sudo apt-get install -y dbus-user-session   # Debian, Ubuntu; other distributions: dbus-broker or dbus for the user',
        `sudo systemctl restart user@${uid}.service`,
      ]
    case 'controllers-not-delegated':
      return [`${SETUP} --user ${user}`]
    case 'root-controllers-not-enabled':
      return ['echo +memory +pids | sudo tee /sys/fs/cgroup/cgroup.subtree_control   # at boot, by the init system']
    case 'no-system-bus':
      return ['sudo apt-get install -y dbus   # systemd needs its D-Bus system bus to hand out delegated scopes']
    case 'cgroup-v1-rootless':
      return host.kind === 'wsl'
        ? [
            '# %UserProfile%\\.wslconfig on Windows:',
            '[wsl2]',
            'kernelCommandLine = cgroup_no_v1=all',
            '# /etc/wsl.conf in the distribution:',
            '[boot]',
            'systemd=true',
            '# then, in PowerShell:',
            'wsl --shutdown',
          ]
        : [
            '# boot with cgroup v2 only: add this to GRUB_CMDLINE_LINUX in /etc/default/grub, then sudo update-grub and reboot',
            'systemd.unified_cgroup_hierarchy=1 cgroup_no_v1=all',
            '# (as root, cgroup v1 memory limits work without this)',
          ]
    case 'launcher-missing':
      return ['npm install @testcell/core   # reinstall: the package carries a prebuilt launcher']
    default:
      return []
  }
}

function persistSysctl(name: string, value: string): string[] {
  return [`sudo sysctl -w ${name}=${value}`, `echo ${name}=${value} | sudo tee /etc/sysctl.d/60-testcell-userns.conf`]
}

function notLinux(): FixBlock {
  return {
    title: 'ways to run the tests in Linux',
    text: [
      '# Docker (Docker Desktop, Colima, Podman machine): run the tests in a Linux container',
      'docker run --rm -it --privileged -v "$PWD":/work -w /work node:22 npx vitest',
      '# a Linux VM (Lima, Multipass, UTM, Hyper-V): run the tests inside it',
      '# Windows: WSL2 (wsl --install); for memory limits enable systemd and cgroup v2 (README, "Where it runs")',
    ].join('\n'),
  }
}
