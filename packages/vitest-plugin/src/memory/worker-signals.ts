// A setup file the plugin adds for container files: inside the container's worker, it tells the pool when
// each test starts and ends (the pool reads and resets the cgroup's peak there) and V8's heap limit. Per test:
// two small IPC messages and one round trip (the start waits for the pool's reset, ~0.1 ms when the main
// process is idle); nothing at all outside a container worker.
import { getHeapStatistics } from 'node:v8'
import { afterEach, beforeEach } from 'vitest'
import { WORKER_MARK } from '../side-channel.js'
import type { MemorySignal } from './signals.js'

interface TaskLike {
  name: string
  fullTestName?: string
  suite?: TaskLike
  file?: TaskLike
}

/** `suite > test`, as reporters name a test (without the file): Vitest's own where it has one. */
function fullName(task: TaskLike): string {
  if (task.fullTestName) return task.fullTestName
  const names: string[] = []
  for (let t: TaskLike | undefined = task; t && t !== task.file; t = t.suite) if (t.name) names.unshift(t.name)
  return names.join(' > ')
}

/**
 * Sends a test's start and waits until the pool has reset the cgroup's peak (its acknowledgement): the test
 * body never runs before its window opens, and the previous test's window is read before this one's (the
 * pool handles messages in order). The listener exists only while waiting, so the channel's reference count
 * (which keeps the process alive) is as Vitest left it.
 */
function startAcknowledged(signal: MemorySignal): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (message: unknown) => {
      if ((message as { __testcell__?: unknown } | null)?.__testcell__ !== 'ack') return
      process.off('message', onMessage)
      resolve()
    }
    process.on('message', onMessage)
    process.send!(signal)
  })
}

if (process.env[WORKER_MARK] === '1' && process.send) {
  const send = (signal: MemorySignal) => process.send?.(signal)
  send({ __testcell__: 'heap', limitBytes: getHeapStatistics().heap_size_limit })
  // Hooks take an object pattern (Vitest 4.1 and 5 read the first parameter for fixtures).
  beforeEach(({ task }) => startAcknowledged({ __testcell__: 'test', event: 'start', id: task.id, name: fullName(task as TaskLike) }))
  afterEach(({ task }) => send({ __testcell__: 'test', event: 'end', id: task.id }))
}
