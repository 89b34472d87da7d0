/**
 * Messages a container's worker sends beside Vitest's own, on the same IPC channel: snapshot files it wrote
 * inside the container that should reach the host. One named method per kind of write, as Vitest's browser
 * pool has; the pool checks each against what that worker may write and never forwards them to Vitest.
 */
export const SNAPSHOT_METHODS = ['saveSnapshotFile', 'removeSnapshotFile', 'saveTestFile', 'saveFileSnapshot'] as const

export type SnapshotMethod = (typeof SNAPSHOT_METHODS)[number]

export interface SnapshotRequest {
  __testcell__: 'snapshot'
  /**
   * `saveSnapshotFile` / `removeSnapshotFile`: a test file's `.snap` file; `saveTestFile`: inline snapshots
   * rewrote the test file; `saveFileSnapshot`: a `toMatchFileSnapshot` target.
   */
  method: SnapshotMethod
  path: string
  content?: string
}

/** Any message that carries the testcell key: the pool takes it, whatever it claims to be. */
export function isSideMessage(message: unknown): message is { __testcell__: unknown } {
  return typeof message === 'object' && message !== null && '__testcell__' in message
}

/** Set by the pool in the worker's environment: `1` in a container, `fallback` when onUnsupported is 'warn'. */
export const WORKER_MARK = 'TESTCELL_CONTAINER'
