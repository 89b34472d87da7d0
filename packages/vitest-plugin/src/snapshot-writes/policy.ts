import { readFileSync, realpathSync } from 'node:fs'
import { basename, dirname, extname, isAbsolute, relative, resolve, sep } from 'node:path'
import { SNAPSHOT_METHODS, type SnapshotRequest } from '../side-channel.js'
import { inlineSnapshotRewriteRefusal } from './inline-rewrite.js'

/** What a container's worker may write on the host: derived from the test files it runs. */
export interface WriteScope {
  /** The test files the worker runs (absolute paths). */
  testFiles: readonly string[]
  /** Where Vitest keeps a test file's snapshots (the project's `resolveSnapshotPath`). */
  snapshotPath(testFile: string): string
}

// toMatchFileSnapshot targets never have these types: code and configuration some tool would run or read.
const SCRIPT_OR_CONFIG = new Set(
  [
    ...['.js', '.cjs', '.mjs', '.jsx', '.ts', '.cts', '.mts', '.tsx', '.vue', '.svelte', '.astro', '.node', '.wasm'],
    ...['.json', '.jsonc', '.json5', '.yml', '.yaml', '.toml', '.ini', '.cfg', '.conf', '.config', '.env', '.properties', '.xml', '.lock'],
    ...['.sh', '.bash', '.zsh', '.fish', '.ps1', '.bat', '.cmd', '.py', '.rb', '.pl', '.php', '.lua', '.mk', '.cmake', '.gradle', '.kts'],
    '.snap',
  ].map((e) => e.toLowerCase()),
)

/**
 * Why a snapshot request from a container's worker is refused, or null when it may reach the host. The
 * allow-list follows what Vitest's snapshot machinery writes for the worker's test files, one named method
 * each (as Vitest's browser pool does):
 * - `saveSnapshotFile` / `removeSnapshotFile`: exactly the resolved snapshot path of one of the files;
 * - `saveTestFile` (inline snapshots): one of the files, changed only inside snapshot literals;
 * - `saveFileSnapshot` (toMatchFileSnapshot): below a test file's directory, no dot component, no
 *   script or config type, and not through a symlink that leads elsewhere.
 */
export function writeRefusal(request: SnapshotRequest, scope: WriteScope): string | null {
  if (!(SNAPSHOT_METHODS as readonly string[]).includes(request.method)) return `"${String(request.method)}" is not a snapshot method`
  if (typeof request.path !== 'string' || !isAbsolute(request.path) || request.path.includes('\0')) return 'the path is not an absolute path'
  if (request.method !== 'removeSnapshotFile' && typeof request.content !== 'string') return 'it carries no text content'
  const path = resolve(request.path)
  switch (request.method) {
    case 'saveSnapshotFile':
    case 'removeSnapshotFile':
      return snapshotFileRefusal(path, scope)
    case 'saveTestFile':
      return testFileRefusal(path, request.content!, scope)
    case 'saveFileSnapshot':
      return fileSnapshotRefusal(path, scope)
  }
}

function snapshotFileRefusal(path: string, scope: WriteScope): string | null {
  const allowed = scope.testFiles.map((file) => resolve(scope.snapshotPath(file)))
  if (allowed.includes(path)) return null
  return `it is not the snapshot file of the test file${scope.testFiles.length === 1 ? '' : 's'} this container runs (${allowed.join(', ') || 'none'})`
}

function testFileRefusal(path: string, content: string, scope: WriteScope): string | null {
  if (!scope.testFiles.includes(path)) return 'inline snapshots only rewrite the test file this container runs'
  let original: string
  try {
    original = readFileSync(path, 'utf8')
  } catch (error) {
    return `the test file cannot be read on the host (${(error as Error).message})`
  }
  return inlineSnapshotRewriteRefusal(original, content)
}

function fileSnapshotRefusal(path: string, scope: WriteScope): string | null {
  const home = scope.testFiles.map(dirname).find((dir) => isBelow(path, dir))
  if (!home) return 'toMatchFileSnapshot targets must lie below the directory of the test file this container runs'
  const parts = relative(home, path).split(sep)
  if (parts.some((p) => p.startsWith('.'))) return 'toMatchFileSnapshot targets never have a path component that starts with "."'
  if (parts.includes('node_modules')) return 'toMatchFileSnapshot targets are never inside node_modules'
  const type = extname(path).toLowerCase()
  if (type === '' || SCRIPT_OR_CONFIG.has(type)) {
    return `toMatchFileSnapshot targets are data files, never scripts, configuration or extensionless files like ${basename(path)}`
  }
  if (!isBelow(realpathOfExisting(path), realpathOfExisting(home))) return 'it leads out of the test file directory through a symlink'
  return null
}

function isBelow(path: string, dir: string): boolean {
  const rel = relative(dir, path)
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel)
}

/** realpath of the deepest existing ancestor, plus the rest: symlinks cannot lead a write elsewhere. */
function realpathOfExisting(path: string): string {
  try {
    return realpathSync(path)
  } catch {
    const parent = dirname(path)
    return parent === path ? path : resolve(realpathOfExisting(parent), basename(path))
  }
}
