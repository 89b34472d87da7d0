import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { PATHS } from './texts.js'

/** One change setup made, enough to undo exactly it. */
export type Change =
  | { kind: 'dir'; path: string }
  | { kind: 'file'; path: string; sha256: string }
  | { kind: 'apparmor-profile'; name: string; file: string }
  | { kind: 'user-manager-restarted'; uid: number }
  | { kind: 'linger'; user: string }
  | { kind: 'sysctl'; name: string; previous: string }

/** What setup changed, in order, kept at /var/lib/testcell/setup.json for `--undo`. */
export interface Manifest {
  version: 1
  changes: Change[]
}

export function readManifest(path: string = PATHS.manifest): Manifest | null {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as Manifest
    return value.version === 1 && Array.isArray(value.changes) ? value : null
  } catch {
    return null
  }
}

export function writeManifest(manifest: Manifest, path: string = PATHS.manifest): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 })
  writeFileSync(`${path}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o644 })
  renameSync(`${path}.tmp`, path)
}

export function removeManifest(path: string = PATHS.manifest): void {
  rmSync(path, { force: true })
}
