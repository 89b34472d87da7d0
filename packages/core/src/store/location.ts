import { chmodSync, lstatSync, mkdirSync, statfsSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { ImageError } from '../errors.js'

const OVERLAYFS_MAGIC = 0x794c7630

/**
 * Where this user's layer store lives: `$TESTCELL_IMAGE_STORE`, else `/var/cache/testcell` for root, else
 * `$XDG_CACHE_HOME/testcell` (`~/.cache/testcell`). Created 0700, owned by this user; refused on overlayfs,
 * whose own whiteout handling would swallow the layers' whiteouts.
 */
export function storeRoot(env: NodeJS.ProcessEnv = process.env, uid = process.getuid?.() ?? 0): string {
  if (env.TESTCELL_IMAGE_STORE) return env.TESTCELL_IMAGE_STORE
  if (uid === 0) return '/var/cache/testcell'
  const cache = env.XDG_CACHE_HOME?.startsWith('/') ? env.XDG_CACHE_HOME : join(env.HOME || homedir(), '.cache')
  return join(cache, 'testcell')
}

/** Creates (or checks) the store directory; throws an ImageError that says what to change. */
export function openStoreRoot(root: string, uid = process.getuid?.() ?? 0): void {
  try {
    mkdirSync(root, { recursive: true, mode: 0o700 })
  } catch (cause) {
    throw new ImageError(
      'TESTCELL_IMAGE_STORE',
      `cannot create the image store ${root}: ${(cause as Error).message}; set TESTCELL_IMAGE_STORE to a writable directory`,
      {
        cause,
      },
    )
  }
  const stat = lstatSync(root)
  if (!stat.isDirectory()) throw new ImageError('TESTCELL_IMAGE_STORE', `the image store ${root} is not a directory`)
  if (stat.uid !== uid) {
    throw new ImageError(
      'TESTCELL_IMAGE_STORE',
      `the image store ${root} belongs to uid ${stat.uid}, not to this user (${uid}): each user needs a store of their own`,
    )
  }
  if ((stat.mode & 0o022) !== 0) chmodSync(root, 0o700)
  if (statfsSync(root).type === OVERLAYFS_MAGIC) {
    throw new ImageError(
      'TESTCELL_IMAGE_STORE',
      `the image store ${root} is on overlayfs (e.g. inside a Docker container), which cannot hold overlay layers: ` +
        'point TESTCELL_IMAGE_STORE at a directory on another filesystem (a volume, or a tmpfs)',
    )
  }
}
