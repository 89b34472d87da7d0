// Debian packages a test tier needs (qemu, clang-format, chromium, ...): installed by the tier itself, so
// nothing relies on a hand-made setup. Only root can install; anyone else gets the reason to skip.
import { spawnSync } from 'node:child_process'

const installed = (pkg) => spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' }).stdout?.includes('install ok installed')

let updated = false

/** Installs the missing packages. Returns null when all are there, else why they are not. */
export function ensureDebianPackages(packages) {
  const missing = packages.filter((p) => !installed(p))
  if (missing.length === 0) return null
  if (process.getuid?.() !== 0) return `needs the Debian packages ${missing.join(' ')} (install them, or run as root)`
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  const apt = (args) => spawnSync('apt-get', ['-y', '-qq', '-o', 'Dpkg::Use-Pty=0', ...args], { stdio: ['ignore', 'ignore', 'inherit'], env })
  if (apt(['install', '--no-install-recommends', ...missing]).status !== 0) {
    if (!updated) {
      updated = true
      apt(['update'])
    }
    if (apt(['install', '--no-install-recommends', ...missing]).status !== 0) return `apt-get could not install ${missing.join(' ')}`
  }
  return null
}
