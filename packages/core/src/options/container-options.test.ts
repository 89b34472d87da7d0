import { describe, expect, it } from 'vitest'
import { normalizeOptions } from './container-options.js'

describe('normalizeOptions', () => {
  it('fills defaults: loopback network, a private hostname, cwd as workdir and visible path', () => {
    const config = normalizeOptions({ command: ['true'], baseEnv: { A: '1' }, env: { B: '2' } }, '/proj')
    expect(config).toMatchObject({ network: 'loopback', workdir: '/proj', visiblePaths: ['/proj'], memoryBytes: null, env: { A: '1', B: '2' } })
    expect(config.hostname).toMatch(/^testcell-[0-9a-f]{6}$/)
  })

  it.each([
    [{ command: [] }, /invalid command/],
    [{ command: ['x'], memory: '1K' }, /invalid memory: "1K"; expected at least 4MiB/],
    [{ command: ['x'], memory: 'huge' }, /invalid memory: "huge"/],
    [{ command: ['x'], pidsLimit: 0 }, /invalid pidsLimit: 0; expected a positive whole number/],
    [{ command: ['x'], network: 'bridge' }, /invalid network: "bridge"; expected one of "loopback", "none", "host"/],
    [{ command: ['x'], hostname: 'no spaces' }, /invalid hostname: "no spaces"/],
    [{ command: ['x'], volumes: ['/definitely/not/here:/x'] }, /invalid volume: .*a source path that exists/],
    [{ command: ['x'], env: { 'A=B': 'c' } }, /invalid env/],
  ])('rejects %j', (options, message) => {
    expect(() => normalizeOptions(options as never, '/proj')).toThrow(message)
  })
})
