import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openPeakTracker } from './peak.js'

const dir = mkdtempSync(join(tmpdir(), 'testcell-peak-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('PeakTracker', () => {
  it('v1: a reset writes 0 to memory.max_usage_in_bytes; the highest value survives resets', () => {
    const cg = join(dir, 'v1')
    mkdirSync(cg)
    writeFileSync(join(cg, 'memory.max_usage_in_bytes'), '7\n')
    using tracker = openPeakTracker(1, cg)
    expect(tracker.read()).toBe(7)
    tracker.reset()
    expect(tracker.mode).toBe('v1-max-usage')
    expect(tracker.read()).toBe(0) // a plain file keeps what was written; the kernel would keep the usage now
    expect(tracker.highest).toBe(7)
  })

  it('v2 before 6.12 (no writable memory.peak): the peak of memory.current samples since the reset', () => {
    const cg = join(dir, 'v2')
    using tracker = openPeakTracker(2, cg)
    expect(tracker.read()).toBeNull() // the cgroup does not exist yet
    expect(tracker.mode).toBeNull()
    mkdirSync(cg)
    writeFileSync(join(cg, 'memory.current'), '100\n')
    tracker.reset()
    expect(tracker.mode).toBe('v2-sampled')
    tracker.observe(400)
    writeFileSync(join(cg, 'memory.current'), '200\n')
    expect(tracker.read()).toBe(400)
    tracker.reset()
    expect(tracker.read()).toBe(200)
    expect(tracker.highest).toBe(400)
  })

  it('v2: a writable memory.peak (Linux >= 6.12, mode 0644) is reset per descriptor; a read-only one (0444) is not used', () => {
    const writable = join(dir, 'v2-new')
    mkdirSync(writable)
    writeFileSync(join(writable, 'memory.peak'), '9\n')
    using fresh = openPeakTracker(2, writable)
    expect(fresh.read()).toBe(9)
    expect(fresh.mode).toBe('v2-peak-reset')

    const old = join(dir, 'v2-old')
    mkdirSync(old)
    writeFileSync(join(old, 'memory.peak'), '9\n')
    chmodSync(join(old, 'memory.peak'), 0o444)
    writeFileSync(join(old, 'memory.current'), '3\n')
    using tracker = openPeakTracker(2, old)
    tracker.reset()
    expect(tracker.mode).toBe('v2-sampled')
    expect(tracker.read()).toBe(3)
  })
})
