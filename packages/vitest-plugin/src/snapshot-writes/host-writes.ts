import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, isAbsolute, relative, resolve } from 'node:path'
import type { SnapshotRequest } from '../side-channel.js'
import { type WriteScope, writeRefusal } from './policy.js'

export type SnapshotWriteErrorCode = 'TESTCELL_SNAPSHOT_WRITE_REFUSED' | 'TESTCELL_SNAPSHOT_WRITE_FAILED'

/** A snapshot write from a container that did not reach the host: refused by the allow-list, or failed. */
export class SnapshotWriteError extends Error {
  constructor(
    readonly code: SnapshotWriteErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'SnapshotWriteError'
    this.stack = `${this.name}: ${message}` // where the pool noticed it says nothing useful
  }
}

export interface HostWriteContext extends WriteScope {
  /** The project root, to name paths readably. */
  root: string
  /** Vitest's error channel (the run goes on, and fails at the end). */
  report(error: SnapshotWriteError): void
}

/**
 * Takes one side-channel message from a container's worker: checks it against what that worker may write,
 * applies it on the host, and reports a refusal or a failure through `report`. Never throws.
 */
export function takeSnapshotRequest(message: { __testcell__: unknown }, context: HostWriteContext): void {
  const request = message as Partial<SnapshotRequest>
  const shown = typeof request.path === 'string' ? readable(request.path, context.root) : String(request.path)
  const running = context.testFiles.map((f) => readable(f, context.root)).join(', ') || 'no test file yet'
  const method = typeof request.method === 'string' ? request.method : 'a side-channel message for'
  const what = `${method} ${shown} from the container running ${running}`
  const reason = request.__testcell__ === 'snapshot' ? writeRefusal(request as SnapshotRequest, context) : 'it is not a snapshot request'
  if (reason) {
    context.report(new SnapshotWriteError('TESTCELL_SNAPSHOT_WRITE_REFUSED', `refused ${what}: ${reason}`))
    return
  }
  try {
    applyWrite(request as SnapshotRequest)
  } catch (cause) {
    context.report(new SnapshotWriteError('TESTCELL_SNAPSHOT_WRITE_FAILED', `could not apply ${what}: ${(cause as Error).message}`, { cause }))
  }
}

function applyWrite(request: SnapshotRequest): void {
  const path = resolve(request.path)
  if (request.method === 'removeSnapshotFile') {
    rmSync(path, { force: true })
    return
  }
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, request.content ?? '')
}

function readable(path: string, root: string): string {
  const rel = relative(root, path)
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path
}
