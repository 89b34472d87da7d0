import { TestcellError } from '@testcell/core'
import { beforeEach, describe, expect, it, vi } from 'vitest'

// A simulated non-Linux platform (injected, nothing about the isolation path is stubbed).
describe('container files off Linux', () => {
  let hostSupport: typeof import('./host-support.js').hostSupport
  beforeEach(async () => {
    vi.resetModules() // the diagnosis is made once per run: a fresh module is a fresh run
    ;({ hostSupport } = await import('./host-support.js'))
  })

  it("onUnsupported 'warn' runs them as plain forks after one warning that names Linux", async () => {
    const warnings: string[] = []
    const logger = { warn: (message: string) => warnings.push(message) }
    expect(await hostSupport({ onUnsupported: 'warn' }, logger, 'darwin')).toBe('fallback')
    expect(await hostSupport({ onUnsupported: 'warn' }, logger, 'darwin')).toBe('fallback')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/this host cannot run containers; container files run as plain forked files/)
    expect(warnings[0]).toContain('containers need Linux; this is darwin')
  })

  it("onUnsupported 'error' fails with the doctor's message and the ways to get Linux", async () => {
    const error = await hostSupport({ onUnsupported: 'error' }, { warn: () => {} }, 'win32').catch((e: unknown) => e)
    expect(TestcellError.is(error) && error.code).toBe('TESTCELL_UNSUPPORTED_HOST')
    expect((error as Error).message).toContain('containers need Linux; this is win32')
    expect((error as Error).message).toMatch(/docker run[\s\S]*WSL2/)
  })
})
