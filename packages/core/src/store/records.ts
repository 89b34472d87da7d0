import { createHash } from 'node:crypto'
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { readJsonFiles } from './json-files.js'
import type { ImageStore } from './store.js'

/** What node an image offers its test workers; probed once per image and remembered here. */
export type NodeProbe = { kind: 'image'; path: string; version: string } | { kind: 'none'; reason: string }

/** An image as the store remembers it: where it came from, its config's essentials and its layer chain. */
export interface ImageRecord {
  reference: string
  /** The source file's identity (device, inode, size, mtime) for local images; null for registry images. */
  identity: string | null
  manifestDigest: string | null
  platform: { os: string; architecture: string; variant?: string }
  env: string[]
  /** Bottom first. */
  layers: { chainId: string; diffId: string; digest: string | null }[]
  node?: NodeProbe
  createdAt: string
}

export function recordKey(reference: string): string {
  return createHash('sha256').update(reference).digest('hex').slice(0, 32)
}

function recordPath(store: ImageStore, reference: string): string {
  return join(store.root, 'images', `${recordKey(reference)}.json`)
}

export function readRecord(store: ImageStore, reference: string): ImageRecord | null {
  try {
    const record = JSON.parse(readFileSync(recordPath(store, reference), 'utf8')) as ImageRecord
    return record.reference === reference ? record : null
  } catch {
    return null
  }
}

export function writeRecord(store: ImageStore, record: ImageRecord): void {
  const path = recordPath(store, record.reference)
  const temp = `${path}.tmp-${process.pid}`
  writeFileSync(temp, `${JSON.stringify(record, null, 2)}\n`)
  renameSync(temp, path)
}

export function removeRecord(store: ImageStore, reference: string): boolean {
  const path = recordPath(store, reference)
  try {
    rmSync(path)
    return true
  } catch {
    return false
  }
}

export function listRecords(store: ImageStore): ImageRecord[] {
  return readJsonFiles<ImageRecord>(join(store.root, 'images'))
}
