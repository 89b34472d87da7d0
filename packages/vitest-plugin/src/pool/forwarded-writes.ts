import { mkdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { basename, dirname, extname, isAbsolute, relative, resolve, sep } from 'node:path'
import type { ForwardedWrite } from '../side-channel.js'

const CODE = new Set(['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts', '.jsx', '.tsx', '.json'])

/**
 * Why a write forwarded from a container is refused, or null when it may reach the host: .snap files,
 * files in __snapshots__, the test file being run (inline snapshots), and other non-code files inside the
 * project root (toMatchFileSnapshot). Never outside the root (symlinks resolved), node_modules or .git.
 */
export function refusal(write: ForwardedWrite, root: string, testFiles: readonly string[]): string | null {
  if (typeof write.path !== 'string' || !isAbsolute(write.path)) return 'the path is not absolute'
  if (write.op === 'write' && typeof write.content !== 'string') return 'no content'
  const path = resolve(write.path)
  const inside = relative(realpath(root), realpath(dirname(path)))
  if (inside.startsWith('..') || isAbsolute(inside)) return 'it is outside the project root'
  const parts = inside.split(sep)
  if (parts.includes('node_modules') || parts.includes('.git')) return 'it is inside node_modules or .git'
  if (testFiles.includes(path) || path.endsWith('.snap') || parts.includes('__snapshots__')) return null
  if (CODE.has(extname(path)) || basename(path).startsWith('.')) return 'snapshots never write source, config or dot files'
  return null
}

export function applyWrite(write: ForwardedWrite): void {
  if (write.op === 'remove') {
    rmSync(write.path, { force: true })
    return
  }
  mkdirSync(dirname(write.path), { recursive: true })
  writeFileSync(write.path, write.content ?? '')
}

/** realpath of the deepest existing ancestor, plus the rest: symlinks cannot lead a write out of the root. */
function realpath(path: string): string {
  try {
    return realpathSync(path)
  } catch {
    const parent = dirname(path)
    return parent === path ? path : resolve(realpath(parent), basename(path))
  }
}
