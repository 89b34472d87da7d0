import { classifyEnd, describeVerdict, factsFromResult, heapLimitFromFlags } from '@testcell/core'
import { describe, expect, it } from 'vitest'
import { canCapMemory, processesWith, runIn, waitFor } from './helpers.js'

const LEAK = 'const a = []; for (;;) a.push(Buffer.alloc(1 << 20, 1))'
const HEAP_LEAK = 'const a = []; for (;;) a.push(new Array(1000).fill({ x: 1 }))'
const place = { file: 'tests/a.test.ts', test: 'heavy test' }

/** Each kind of end, done for real, then told apart from its facts alone. */
describe.runIf(canCapMemory())('verdicts from real ends', () => {
  it('the budget: a leak past the memory limit', async () => {
    const { result } = await runIn([process.execPath, '-e', LEAK], { memory: '64MiB' })
    const verdict = classifyEnd(factsFromResult(result))
    expect(verdict.kind).toBe('budget')
    expect(describeVerdict(verdict, place)).toMatch(/^killed: memory limit 64 MiB exceeded \(peak 6\d\.\d MiB\) while running tests\/a\.test\.ts > heavy test$/)
  })

  it('V8’s heap limit: a small --max-old-space-size under a large budget', async () => {
    const execArgv = ['--max-old-space-size=32']
    const { result, stderr } = await runIn([process.execPath, ...execArgv, '-e', HEAP_LEAK], { memory: '1GiB' })
    expect(result.oomKilled).toBe(false)
    const verdict = classifyEnd(factsFromResult(result, { stderrTail: stderr.slice(-4096), heapLimit: heapLimitFromFlags(execArgv, undefined) }))
    expect(verdict.kind).toBe('v8-heap')
    expect(describeVerdict(verdict, place)).toMatch(
      /^aborted: V8's heap limit was reached \(JavaScript heap out of memory; heap limit 32 MiB from --max-old-space-size=32\), not the memory budget \(peak \d+\.\d MiB, budget 1 GiB\) while running/,
    )
  })

  it('a SIGKILL from outside the container is named as such, never a memory kill', async () => {
    const marker = `testcell-outside-kill-${process.pid}`
    const running = runIn(['/bin/sh', '-c', `sleep 30; : ${marker}`], { memory: '64MiB' })
    await waitFor(() => processesWith(marker).length > 0)
    for (const pid of processesWith(marker)) process.kill(pid, 'SIGKILL')
    const { result } = await running
    const verdict = classifyEnd(factsFromResult(result))
    expect(verdict).toEqual({ kind: 'signal', signal: 'SIGKILL' })
    expect(describeVerdict(verdict, place)).toBe(
      'killed by signal SIGKILL, not by a memory limit (the kernel counted no OOM kill) while running tests/a.test.ts > heavy test',
    )
  })
})
