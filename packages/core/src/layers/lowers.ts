import { closeSync, constants, fstatSync, openSync, type Stats } from 'node:fs'
import { OPAQUE_XATTR } from './entry-path.js'
import { fgetxattr, O_PATH, openat2, RESOLVE_BENEATH, RESOLVE_NO_MAGICLINKS, RESOLVE_NO_SYMLINKS, type SyscallError } from './syscalls.js'

const IN_ROOT = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS

/**
 * The regular file at `path` as the stack of extracted `lowers` (topmost first) shows it, honouring
 * whiteouts and opaque directories; null when it is absent, hidden, not a regular file, or behind a symlink.
 */
export function findInLowers(lowers: readonly string[], path: readonly string[]): { path: string; stat: Stats } | null {
  for (const lower of lowers) {
    const root = openSync(lower, constants.O_RDONLY | constants.O_DIRECTORY)
    try {
      const found = lookIn(root, path)
      if (found === 'next') continue
      if (found === null) return null
      return { path: `${lower}/${path.join('/')}`, stat: found }
    } finally {
      closeSync(root)
    }
  }
  return null
}

/** One layer's answer: the file, null (deleted or unusable: stop), or 'next' (look in the layer below). */
function lookIn(root: number, path: readonly string[]): Stats | null | 'next' {
  let opaque = false
  for (let depth = 1; depth <= path.length; depth++) {
    const sub = path.slice(0, depth).join('/')
    let fd: number
    try {
      fd = openat2(root, sub, O_PATH | constants.O_NOFOLLOW, IN_ROOT)
    } catch (error) {
      const code = (error as SyscallError).code
      if (code === 'ENOENT') return opaque ? null : 'next'
      return null // a symlink on the way: a hardlink cannot be resolved through it
    }
    try {
      const stat = fstatSync(fd)
      if (stat.isCharacterDevice() && stat.rdev === 0) return null // whiteout
      if (depth === path.length) return stat.isFile() ? stat : null
      if (!stat.isDirectory()) return null
      const dir = openat2(root, sub, constants.O_RDONLY | constants.O_DIRECTORY, IN_ROOT)
      try {
        if (fgetxattr(dir, OPAQUE_XATTR) === 'y') opaque = true
      } finally {
        closeSync(dir)
      }
    } finally {
      closeSync(fd)
    }
  }
  return null
}
