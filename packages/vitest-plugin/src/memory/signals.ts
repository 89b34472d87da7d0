/**
 * What a container's worker tells the pool about memory, beside Vitest's own messages on the same IPC channel
 * (like the snapshot writes of side-channel.ts): each test's start and end, and V8's heap limit.
 */
export type MemorySignal =
  | { __testcell__: 'test'; event: 'start'; id: string; name: string }
  | { __testcell__: 'test'; event: 'end'; id: string }
  | { __testcell__: 'heap'; limitBytes: number }

export function isMemorySignal(message: unknown): message is MemorySignal {
  if (typeof message !== 'object' || message === null) return false
  const m = message as Record<string, unknown>
  if (m.__testcell__ === 'heap') return typeof m.limitBytes === 'number'
  return m.__testcell__ === 'test' && (m.event === 'start' || m.event === 'end') && typeof m.id === 'string'
}
