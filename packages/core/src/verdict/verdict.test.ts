import { describe, expect, it } from 'vitest'
import { classifyEnd, type EndFacts, limitSlack } from './classify.js'
import { describeVerdict } from './describe.js'
import { heapLimitFromFlags, isHeapOutOfMemory, reportedHeapLimit } from './heap.js'

const MiB = 1024 * 1024
const base: EndFacts = { exitCode: null, signal: 'SIGKILL', limitBytes: 64 * MiB, peakBytes: 64 * MiB, oomKills: 0, limitOoms: null }
const place = { file: 'tests/a.test.ts', test: 'heavy test' }
const say = (facts: Partial<EndFacts>) => describeVerdict(classifyEnd({ ...base, ...facts }), place)

const HEAP_OOM_STDERR = `
<--- Last few GCs --->
[2:0x6b2c000]      412 ms: Mark-Compact 30.9 (33.6) -> 30.6 (33.8) MB, pooled: 0 MB, 8.1 / 0.0 ms  (average mu = 0.266, current mu = 0.044) allocation failure; scavenge might not succeed

FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory
----- Native stack trace -----
`

describe('classifyEnd and describeVerdict', () => {
  it('budget: the cgroup limit ran out (v2 counts it in memory.events oom)', () => {
    expect(say({ oomKills: 1, limitOoms: 1 })).toBe('killed: memory limit 64 MiB exceeded (peak 64.0 MiB) while running tests/a.test.ts > heavy test')
  })

  it('budget on v1: an OOM kill with the watermark at the limit', () => {
    expect(classifyEnd({ ...base, oomKills: 1, peakBytes: 64 * MiB - 300 * 1024 }).kind).toBe('budget')
  })

  it('without counters, the container’s own oomKilled verdict still names the budget', () => {
    expect(classifyEnd({ ...base, oomKills: null, oomKilled: true, peakBytes: null }).kind).toBe('budget')
  })

  it('host OOM on v2: oom_kill counted but the cgroup’s own limit never ran out', () => {
    expect(say({ oomKills: 1, limitOoms: 0, limitBytes: 1024 * MiB, peakBytes: 310 * MiB })).toBe(
      "killed: the machine ran out of memory and the kernel's OOM killer ended this file, not its memory budget (peak 310.0 MiB, budget 1 GiB) while running tests/a.test.ts > heavy test",
    )
  })

  it('host OOM on v1: an OOM kill with the watermark clearly below the limit', () => {
    expect(classifyEnd({ ...base, oomKills: 1, limitBytes: 1024 * MiB, peakBytes: 600 * MiB }).kind).toBe('host-oom')
    expect(classifyEnd({ ...base, oomKills: 1, limitBytes: 1024 * MiB, peakBytes: 1024 * MiB - limitSlack(1024 * MiB) }).kind).toBe('budget')
  })

  it('host OOM without a budget', () => {
    expect(say({ oomKills: 2, limitBytes: null, peakBytes: 900 * MiB })).toMatch(/machine ran out of memory .*\(peak 900\.0 MiB, no memory budget\)/)
  })

  it('V8 heap limit: says so, with the heap limit in force and the cgroup peak next to the budget', () => {
    const heapLimit = heapLimitFromFlags(['--conditions', 'node', '--max-old-space-size=32'], undefined)
    const text = say({ signal: 'SIGABRT', limitBytes: 1024 * MiB, peakBytes: 82 * MiB, stderrTail: HEAP_OOM_STDERR, heapLimit })
    expect(text).toBe(
      "aborted: V8's heap limit was reached (JavaScript heap out of memory; heap limit 32 MiB from --max-old-space-size=32), not the memory budget (peak 82.0 MiB, budget 1 GiB) while running tests/a.test.ts > heavy test",
    )
  })

  it('V8 heap limit as reported by the worker, or V8’s default', () => {
    expect(say({ signal: 'SIGABRT', stderrTail: HEAP_OOM_STDERR, heapLimit: reportedHeapLimit(2096 * MiB) })).toMatch(
      /heap limit 2\.05 GiB from v8 heap_size_limit/,
    )
    expect(say({ signal: 'SIGABRT', stderrTail: HEAP_OOM_STDERR })).toMatch(/V8's default heap limit/)
  })

  it('a SIGKILL without a counted OOM kill is named as such, never a memory kill', () => {
    const text = say({ oomKills: 0 })
    expect(text).toBe('killed by signal SIGKILL, not by a memory limit (the kernel counted no OOM kill) while running tests/a.test.ts > heavy test')
    expect(text).not.toMatch(/exceeded|ran out/)
    expect(classifyEnd({ ...base, oomKills: null, oomKilled: false }).kind).toBe('signal')
  })

  it('an OOM kill that did not end the worker by SIGKILL is not a memory verdict', () => {
    expect(classifyEnd({ ...base, oomKills: 1, signal: null, exitCode: 1 }).kind).toBe('exit')
  })

  it('other signals and exit codes', () => {
    expect(say({ signal: 'SIGSEGV' })).toBe('killed by signal SIGSEGV while running tests/a.test.ts > heavy test')
    expect(describeVerdict(classifyEnd({ ...base, signal: null, exitCode: 3 }), { file: 'tests/a.test.ts' })).toBe(
      'the worker exited with code 3 while running tests/a.test.ts',
    )
    expect(describeVerdict(classifyEnd({ ...base, signal: null, exitCode: 3 }), { file: null })).toBe('the worker exited with code 3 before any test file ran')
  })

  it('a stop the runner asked for is not a crash, unless the budget killed it meanwhile', () => {
    expect(classifyEnd({ ...base, signal: 'SIGTERM', stoppedByRunner: true }).kind).toBe('stopped')
    expect(say({ signal: 'SIGTERM', stoppedByRunner: true })).toBeNull()
    expect(classifyEnd({ ...base, oomKills: 1, limitOoms: 1, stoppedByRunner: true }).kind).toBe('budget')
  })
})

describe('heap limit and heap OOM detection', () => {
  it('finds --max-old-space-size: argv over NODE_OPTIONS, last one wins, both spellings', () => {
    expect(heapLimitFromFlags(['--max_old_space_size=64', '--max-old-space-size=48'], '--max-old-space-size=999')).toEqual({
      bytes: 48 * MiB,
      source: '--max-old-space-size=48',
    })
    expect(heapLimitFromFlags([], '--enable-source-maps --max-old-space-size=128')).toEqual({
      bytes: 128 * MiB,
      source: 'NODE_OPTIONS --max-old-space-size=128',
    })
    expect(heapLimitFromFlags(['--max-old-space-size', '20'], undefined)?.bytes).toBe(20 * MiB)
    expect(heapLimitFromFlags(['--expose-gc'], '')).toBeNull()
  })

  it('recognises the messages Node prints when the heap is full', () => {
    expect(isHeapOutOfMemory(HEAP_OOM_STDERR)).toBe(true)
    expect(isHeapOutOfMemory('FATAL ERROR: invalid table size Allocation failed - JavaScript heap out of memory')).toBe(true)
    expect(isHeapOutOfMemory('Error: expected 1 to be 2')).toBe(false)
  })
})
