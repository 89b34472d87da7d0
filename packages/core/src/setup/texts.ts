import { INSTALLED_LAUNCHER } from '../launcher/installed-copy.js'

/** Every path `testcell setup` may write. `--undo` removes only what the manifest says setup wrote. */
export const PATHS = {
  launcherDir: '/usr/local/libexec/testcell',
  launcher: INSTALLED_LAUNCHER,
  profile: '/etc/apparmor.d/testcell',
  dropInDir: '/etc/systemd/system/user@.service.d',
  dropIn: '/etc/systemd/system/user@.service.d/60-testcell.conf',
  sysctl: '/etc/sysctl.d/60-testcell-userns.conf',
  stateDir: '/var/lib/testcell',
  manifest: '/var/lib/testcell/setup.json',
} as const

export const PROFILE_NAME = 'testcell'

/** AppArmor profile for the root-owned launcher copy only: it may create user namespaces, nothing else changes. */
export const APPARMOR_PROFILE = `# Written by \`testcell setup\`; removed by \`testcell setup --undo\`.
# Lets only the root-owned testcell launcher create user namespaces on hosts that restrict them
# (kernel.apparmor_restrict_unprivileged_userns, Ubuntu >= 23.10). It names one root-owned path, never a
# user-writable node_modules: anyone able to write there could otherwise use the exemption.
abi <abi/4.0>,
include <tunables/global>

profile ${PROFILE_NAME} ${INSTALLED_LAUNCHER} flags=(unconfined) {
  userns,

  include if exists <local/${PROFILE_NAME}>
}
`

/** Adds memory and pids to what user managers get delegated (systemd adds Delegate= lists up). */
export const DELEGATE_DROP_IN = `# Written by \`testcell setup\`; removed by \`testcell setup --undo\`.
# Delegates the memory and pids controllers to every user's systemd manager, so testcell can put rootless
# containers into a delegated scope with memory and pids limits.
[Service]
Delegate=pids memory
`

export const SYSCTL_CONF = `# Written by \`testcell setup --sysctl\`; removed by \`testcell setup --undo\`.
# Lifts Ubuntu's restriction on unprivileged user namespaces for every program on this host.
kernel.apparmor_restrict_unprivileged_userns = 0
`
