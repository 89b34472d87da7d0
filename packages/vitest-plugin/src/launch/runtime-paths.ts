import { readFileSync, realpathSync } from 'node:fs'
import { dirname } from 'node:path'

// Where the dynamic loader finds system libraries: the same inside a container as on the host.
const SYSTEM_DIRS = ['/lib', '/lib32', '/lib64', '/libx32', '/usr/lib', '/usr/lib32', '/usr/lib64', '/usr/libx32', '/usr/share', '/etc']
// Kernel interfaces and pseudo files that show up in /proc/self/maps but are no files to keep visible.
const NOT_FILES = ['/dev/', '/proc/', '/sys/', '/memfd:', '/SYSV', '/anon_hugepage', '/dmabuf:']

let cached: string[] | undefined

/**
 * Directories the container must show for this very Node to run in it: the real directory of its binary
 * (a `node` npm package under /tmp, a version manager's directory, ...) and those of the libraries it
 * loaded from outside the system directories. Read once per process.
 */
export function runtimePaths(): string[] {
  cached ??= readRuntimePaths()
  return cached
}

function readRuntimePaths(): string[] {
  const paths = new Set([dirname(realpathSync(process.execPath))])
  let maps = ''
  try {
    maps = readFileSync('/proc/self/maps', 'utf8')
  } catch {
    // no /proc: the binary's directory is all we know
  }
  for (const dir of mappedFileDirs(maps)) paths.add(dir)
  return [...paths]
}

/** Directories of the files mapped in a `/proc/<pid>/maps` text, outside the system directories. */
export function mappedFileDirs(maps: string): string[] {
  const dirs = new Set<string>()
  for (const line of maps.split('\n')) {
    // address perms offset dev inode [path]; the path may contain spaces
    const match = /^\S+\s+\S+\s+\S+\s+\S+\s+\d+\s+(\/.*)$/.exec(line)
    if (!match) continue
    const path = match[1]!.replace(/ \(deleted\)$/, '')
    if (NOT_FILES.some((p) => path.startsWith(p))) continue
    if (SYSTEM_DIRS.some((dir) => path.startsWith(`${dir}/`))) continue
    dirs.add(dirname(path))
  }
  return [...dirs]
}
