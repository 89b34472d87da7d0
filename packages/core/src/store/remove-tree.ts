import { chmodSync, lstatSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Removes a directory tree of the store, including directories an image made read-only (0555, 0000) that
 * a non-root owner cannot empty as they are. Never follows symlinks.
 */
export function removeTree(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true })
    return
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EACCES' && (error as NodeJS.ErrnoException).code !== 'EPERM') throw error
  }
  makeWritable(path)
  rmSync(path, { recursive: true, force: true })
}

function makeWritable(dir: string): void {
  const stat = lstatSync(dir, { throwIfNoEntry: false })
  if (!stat?.isDirectory()) return
  chmodSync(dir, 0o700)
  for (const name of readdirSync(dir)) makeWritable(join(dir, name))
}
