import { runSetup, type SetupRequest } from '../setup/setup.js'

export const SETUP_USAGE = `usage: sudo testcell setup [--user NAME] [--dry-run] [--undo] [--sysctl] [--apparmor]
  the one-time root part, for one user (default: SUDO_USER); prints each change, and a second run changes nothing
  --user NAME   the user whose tests need rootless memory limits (linger, delegation)
  --dry-run     print the plan, change nothing
  --undo        remove exactly what setup added (recorded in /var/lib/testcell/setup.json)
  --sysctl      also set kernel.apparmor_restrict_unprivileged_userns=0, host-wide (opt-in; prefer the profile)
  --apparmor    install the launcher copy and its AppArmor profile even where the kernel has no userns restriction`

/** Parses `testcell setup` flags; a message for bad usage. */
export function parseSetupArgs(argv: readonly string[], env: NodeJS.ProcessEnv): SetupRequest | string {
  const request: SetupRequest = { user: env.SUDO_USER || null, undo: false, dryRun: false, sysctl: false, apparmor: false }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--undo') request.undo = true
    else if (arg === '--dry-run') request.dryRun = true
    else if (arg === '--sysctl') request.sysctl = true
    else if (arg === '--apparmor') request.apparmor = true
    else if (arg === '--user' || arg.startsWith('--user=')) {
      const value = arg === '--user' ? argv[++i] : arg.slice('--user='.length)
      if (!value) return '--user needs a user name'
      request.user = value
    } else return `unknown argument ${JSON.stringify(arg)}`
  }
  return request
}

export function setup(argv: readonly string[]): number {
  if (argv.includes('--help')) {
    process.stdout.write(`${SETUP_USAGE}\n`)
    return 0
  }
  const request = parseSetupArgs(argv, process.env)
  if (typeof request === 'string') {
    process.stderr.write(`testcell setup: ${request}\n${SETUP_USAGE}\n`)
    return 2
  }
  return runSetup(request, (line) => process.stdout.write(`${line}\n`))
}
