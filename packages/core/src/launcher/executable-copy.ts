import { createHash } from 'node:crypto'
import { chmodSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { TestcellError } from '../errors.js'
import { LAUNCHER_FILE } from './platforms.js'

/**
 * This user's cache directory for testcell: `$XDG_CACHE_HOME/testcell` or `~/.cache/testcell`. Never a shared
 * place: a file copied here is executed, so the directory must be this user's alone.
 */
export function userCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'testcell')
}

/**
 * A copy of `source` with mode 0755 in `cacheDir` (for a launcher that arrived without its execute bit, e.g.
 * unpacked by a tool that drops modes). The copy is named by the content's hash and reused while it matches.
 */
export function executableCopy(source: string, cacheDir: string): string {
  const bytes = readFileSync(source)
  const digest = createHash('sha256').update(bytes).digest('hex').slice(0, 16)
  const dir = join(cacheDir, 'launcher', digest)
  const target = join(dir, LAUNCHER_FILE)
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    for (const path of [cacheDir, join(cacheDir, 'launcher'), dir]) checkPrivate(path)
    if (!sameExecutable(target, bytes)) {
      const temporary = `${target}.${process.pid}.tmp`
      try {
        writeFileSync(temporary, bytes, { mode: 0o700, flag: 'wx' })
        chmodSync(temporary, 0o755)
        renameSync(temporary, target)
      } finally {
        rmSync(temporary, { force: true })
      }
    }
    return target
  } catch (cause) {
    if (TestcellError.is(cause)) throw cause
    throw new TestcellError(
      'TESTCELL_LAUNCHER_NOT_FOUND',
      `the launcher ${source} is not executable and could not be copied to ${target} with mode 0755 ` +
        `(${(cause as Error).message}): run chmod +x ${source}, set XDG_CACHE_HOME to a directory of yours, or set TESTCELL_LAUNCHER`,
      { cause },
    )
  }
}

function sameExecutable(path: string, bytes: Buffer): boolean {
  try {
    const stat = lstatSync(path)
    return stat.isFile() && (stat.mode & 0o777) === 0o755 && stat.uid === process.getuid?.() && readFileSync(path).equals(bytes)
  } catch {
    return false
  }
}

/** Refuses a directory that another user owns or could write to (someone could swap the copy). */
function checkPrivate(path: string): void {
  const stat = lstatSync(path)
  const uid = process.getuid?.()
  if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid) || (stat.mode & 0o022) !== 0) {
    throw new TestcellError(
      'TESTCELL_LAUNCHER_NOT_FOUND',
      `${path} is not a private directory of this user (owner uid ${stat.uid}, mode ${(stat.mode & 0o7777).toString(8)}), ` +
        'so the launcher is not copied there: fix its owner and mode, set XDG_CACHE_HOME to a directory of yours, or set TESTCELL_LAUNCHER',
    )
  }
}
