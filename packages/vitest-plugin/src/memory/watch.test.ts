import type { ContainerResult, MemorySampler, PeakTracker } from '@testcell/core'
import { describe, expect, it } from 'vitest'
import { isMemorySignal } from './signals.js'
import { FileMemoryWatch } from './watch.js'

const MiB = 1024 * 1024

/** A v1-like cgroup whose usage the test sets: reset puts the watermark at the usage now. */
function fakeCgroup() {
  const state = { usage: 20 * MiB, watermark: 20 * MiB, highest: null as number | null }
  const tracker: PeakTracker = {
    mode: 'v1-max-usage',
    get highest() {
      return state.highest
    },
    reset: () => {
      state.watermark = state.usage
    },
    read: () => {
      state.highest = Math.max(state.highest ?? 0, state.watermark)
      return state.watermark
    },
    observe: () => {},
    close: () => {},
    [Symbol.dispose]: () => {},
  }
  const sampler = { start: () => {}, stop: () => {}, samples: () => ({ everyMs: 100, values: [20 * MiB, 60 * MiB] }) } as unknown as MemorySampler
  const use = (bytes: number) => {
    state.usage = bytes
    state.watermark = Math.max(state.watermark, bytes)
  }
  return { container: { peakTracker: () => tracker, memorySampler: () => sampler }, use }
}

const result = (r: Partial<ContainerResult>): ContainerResult => ({
  exitCode: null,
  signal: null,
  oomKilled: false,
  peakMemoryBytes: null,
  memoryStat: null,
  memoryLimitBytes: 64 * MiB,
  durationMs: 1,
  ...r,
})

describe('FileMemoryWatch', () => {
  it('gives each test its own peak and the file the highest of all, with samples', () => {
    const { container, use } = fakeCgroup()
    const watch = new FileMemoryWatch({ limitBytes: 64 * MiB, options: { memory: '64MiB' }, heapLimit: null })
    watch.attach(container)
    watch.signal({ __testcell__: 'heap', limitBytes: 2048 * MiB })
    watch.signal({ __testcell__: 'test', event: 'start', id: 'a', name: 'light' })
    use(30 * MiB)
    use(22 * MiB)
    watch.signal({ __testcell__: 'test', event: 'end', id: 'a' })
    watch.signal({ __testcell__: 'test', event: 'start', id: 'b', name: 'heavy' })
    use(60 * MiB)
    use(21 * MiB)
    watch.signal({ __testcell__: 'test', event: 'end', id: 'b' })
    const { file, tests } = watch.meta(25 * MiB)
    expect(Object.fromEntries(tests)).toEqual({ a: { peakBytes: 30 * MiB }, b: { peakBytes: 60 * MiB } })
    expect(file).toEqual({
      peakBytes: 60 * MiB,
      limitBytes: 64 * MiB,
      options: { memory: '64MiB', heapLimitBytes: 2048 * MiB },
      samples: { everyMs: 100, kib: [20 * 1024, 60 * 1024] },
      peakMode: 'v1-max-usage',
    })
  })

  it('names the running test when the budget kills the file, and credits it with the last peak', () => {
    const { container, use } = fakeCgroup()
    const watch = new FileMemoryWatch({ limitBytes: 64 * MiB, options: {}, heapLimit: null })
    watch.attach(container)
    watch.signal({ __testcell__: 'test', event: 'start', id: 'h', name: 'suite > heavy test' })
    use(50 * MiB)
    expect(watch.runningTests()).toEqual(['suite > heavy test'])
    const killed = result({ signal: 'SIGKILL', oomKilled: true, oomKillCount: 1, limitOomCount: null, peakMemoryBytes: 64 * MiB })
    const end = watch.endedEarly(killed)
    expect(end).toMatchObject({ message: 'killed: memory limit 64 MiB exceeded (peak 64.0 MiB)', short: 'killed by its memory limit' })
    const { file, tests } = watch.meta(64 * MiB)
    expect(tests.get('h')).toEqual({ peakBytes: 64 * MiB })
    expect(file).toMatchObject({ verdict: 'budget', endedEarly: 'killed by its memory limit', peakBytes: 64 * MiB })
  })

  it('tells a V8 heap abort from its stderr, with the heap limit the worker reported', () => {
    const watch = new FileMemoryWatch({ limitBytes: 1024 * MiB, options: {}, heapLimit: null })
    watch.signal({ __testcell__: 'heap', limitBytes: 48 * MiB })
    watch.stderrChunk('FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n')
    const end = watch.endedEarly(result({ signal: 'SIGABRT', peakMemoryBytes: 90 * MiB, memoryLimitBytes: 1024 * MiB }))
    expect(end.message).toMatch(/^aborted: V8's heap limit was reached \(JavaScript heap out of memory; heap limit 48 MiB from v8 heap_size_limit\)/)
    expect(end.short).toBe("V8's heap limit reached")
    expect(watch.meta(90 * MiB).file.options).toEqual({ heapLimitBytes: 48 * MiB })
  })

  it('the machine running out is told from the budget by the counters, with or without a budget', () => {
    const watch = new FileMemoryWatch({ limitBytes: null, options: {}, heapLimit: null })
    const end = watch.endedEarly(result({ signal: 'SIGKILL', oomKillCount: 1, limitOomCount: 0, peakMemoryBytes: 700 * MiB, memoryLimitBytes: null }))
    expect(end).toMatchObject({ verdict: { kind: 'host-oom' }, short: 'killed: the machine ran out of memory' })
    expect(end.message).toMatch(/\(peak 700\.0 MiB, no memory budget\)$/)
  })

  it('recognises its signals among other messages', () => {
    expect(isMemorySignal({ __testcell__: 'test', event: 'start', id: 'x', name: 'n' })).toBe(true)
    expect(isMemorySignal({ __testcell__: 'heap', limitBytes: 1 })).toBe(true)
    expect(isMemorySignal({ __testcell__: 'write', op: 'write', path: '/x' })).toBe(false)
    expect(isMemorySignal({ __vitest_worker_response__: true })).toBe(false)
  })
})
