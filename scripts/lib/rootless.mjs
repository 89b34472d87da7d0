// The rootless test tiers run the tests as a real unprivileged user. A clone may sit where that user cannot
// enter (`mktemp -d`, /root/...). Rather than loosen permissions on anybody's directories, a tier runs in a
// private mount namespace in which the checkout is also bind-mounted at a path the user can reach
// (/run/testcell-rootless-*/checkout). The mount exists only in that namespace: nobody else sees it, and it
// disappears with the tier, even when the tier is killed. Every rootless run goes this way, wherever the clone is, so the path CI tests is the path users take.
// (Not chosen: chmod or ACLs on the clone's parents, which loosen someone's directories; a copy of the checkout,
// which tests another tree and costs a copy of node_modules; symlinks, which still need the parents' x bit.)
import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmdirSync } from 'node:fs'
import { join } from 'node:path'

/** The unprivileged user for rootless runs, created here so nothing relies on a hand-made setup. */
export function rootlessUser(name = 'testcell-ci') {
  if (spawnSync('id', ['-u', name], { stdio: 'ignore' }).status !== 0) {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/bin/sh', name])
  }
  return name
}

/** What every rootless tier reads or runs as the user, relative to the checkout: `test` flag and path. */
const NEEDED = [
  ['-r', 'node_modules/vitest/vitest.mjs'],
  ['-x', 'native/build/testcell-launcher'],
  ['-r', 'packages/core/dist/index.js'],
  ['-r', 'packages/vitest-plugin/dist/plugin.js'],
]

// Runs as root inside the new mount namespace: bind the checkout, enter it, become the user.
const ENTER = 'mount --rbind -- "$1" "$2" && cd -- "$2" && shift 2 && exec "$@"'

/**
 * Where `user` sees the checkout (`view`), how to run a command there as that user, and how to remove the
 * view's directory afterwards. The view is not under /tmp: containers get a private /tmp, and a container
 * started with the default working directory must find it.
 */
export function checkoutFor(user, checkout) {
  const scratch = mkdtempSync(join(existsSync('/run') ? '/run' : '/var/tmp', 'testcell-rootless-'))
  chmodSync(scratch, 0o755)
  const view = join(scratch, 'checkout')
  mkdirSync(view, { mode: 0o755 })
  const run = (command) => [
    'unshare',
    '--mount',
    '--propagation',
    'private',
    '--',
    '/bin/sh',
    '-c',
    ENTER,
    'sh',
    checkout,
    view,
    'runuser',
    '-u',
    user,
    '--',
    ...command,
  ]
  // Here the view is an empty directory (the bind mount lived in the tier's namespace only). rmdir, never a
  // recursive removal: should the mount ever be seen here, this fails instead of deleting the checkout.
  const remove = () => {
    rmdirSync(view)
    rmdirSync(scratch)
  }
  return { view, run, remove }
}

/**
 * Why a tier cannot run as `user`, or null: checked the way the tier will run (as the user, through the bind
 * mount, by absolute paths), for what it reads or runs of the checkout (`needs`: more `test` flags and paths
 * than every tier's) and the directory it writes its report to.
 */
export function rootlessProblem({ view, run }, user, writable, needs = []) {
  const tests = [...[...NEEDED, ...needs].map(([flag, path]) => [flag, join(view, path)]), ['-w', writable]]
  const script = 's=0; while [ $# -gt 0 ]; do test "$1" "$2" || { echo "$2"; s=1; }; shift 2; done; exit $s'
  const command = run(['/bin/sh', '-c', script, 'sh', ...tests.flat()])
  const result = spawnSync(command[0], command.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  if (result.status === 0) return null
  const denied = result.stdout
    .split('\n')
    .filter(Boolean)
    .map((path) => path.replace(`${view}/`, ''))
  if (denied.length > 0) return `${user} cannot use ${denied.join(', ')}: the checkout's files must be world-readable (a umask of 077 when cloning?)`
  return `cannot show the checkout to ${user} in a private mount namespace (unshare, mount --rbind, runuser): ${result.stderr.trim() || `exit ${result.status}`}`
}

/** The commands the tier runs as root: unshare and mount, and runuser; null when they are all there. */
export function missingTools() {
  const missing = ['unshare', 'mount', 'runuser'].filter((cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status !== 0)
  return missing.length > 0 ? missing : null
}
