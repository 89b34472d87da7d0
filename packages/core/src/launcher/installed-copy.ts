import { createHash } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import { dirname } from 'node:path'

/**
 * Where `sudo testcell setup` puts a root-owned copy of the launcher, the only path its AppArmor profile
 * names (hosts that restrict unprivileged user namespaces, Ubuntu ≥ 23.10).
 */
export const INSTALLED_LAUNCHER = '/usr/local/libexec/testcell/testcell-launcher'

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex')
}

/**
 * The installed copy when it is root-owned, writable by no one else, and byte for byte the package's
 * launcher (checked by hash, so an older copy is never used); otherwise the package's own launcher.
 */
export function preferInstalledCopy(packaged: string, installed = INSTALLED_LAUNCHER): string {
  try {
    if (!rootOwned(installed) || !rootOwned(dirname(installed))) return packaged
    return sha256File(installed) === sha256File(packaged) ? installed : packaged
  } catch {
    return packaged
  }
}

function rootOwned(path: string): boolean {
  const stat = statSync(path)
  return stat.uid === 0 && (stat.mode & 0o022) === 0
}
