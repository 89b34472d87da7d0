/**
 * Messages the container's worker sends beside Vitest's own on the same IPC channel: files a snapshot wrote
 * inside the container that must reach the host. The pool handles them and never forwards them to Vitest.
 */
export interface ForwardedWrite {
  __testcell__: 'write'
  op: 'write' | 'remove'
  path: string
  content?: string
}

export function isForwardedWrite(message: unknown): message is ForwardedWrite {
  return typeof message === 'object' && message !== null && (message as { __testcell__?: unknown }).__testcell__ === 'write'
}

/** Set by the pool in the worker's environment: `1` in a container, `fallback` when onUnsupported is 'warn'. */
export const WORKER_MARK = 'TESTCELL_CONTAINER'
