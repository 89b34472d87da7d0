import { describe, expect, it } from 'vitest'
import { fileOptions, validateOptions } from './options.js'

describe('validateOptions', () => {
  it('accepts every documented option, volumes in both forms', () => {
    const options = {
      memory: '256MiB',
      pidsLimit: 64,
      network: 'none',
      hostname: 'cell',
      volumes: ['/tmp:/data:ro', 'fixtures:/fixtures', { source: 'a:b', target: '/c:d', readonly: true }],
      env: { A: '1' },
      onUnsupported: 'warn',
      reporter: false,
      warnAt: 0.9,
      report: 'memory-report.html',
      history: false,
    }
    expect(validateOptions(options, 'config')).toEqual(options)
  })

  it('takes an image reference as a string; its files are found when a file starts', () => {
    expect(validateOptions({ image: 'debian:bookworm-slim' }, 'config')).toEqual({ image: 'debian:bookworm-slim' })
    expect(() => validateOptions({ image: 42 }, 'src')).toThrow(/invalid image in src: 42; expected oci:DIR\[:REF\]/)
  })

  it.each([
    [{ memory: 'lots' }, /invalid memory in src: "lots"; expected a size such as 256MiB/],
    [{ network: 'bridge' }, /invalid network in src: "bridge"; expected one of "loopback", "none", "host"/],
    [{ volumes: ['nocolon'] }, /invalid volumes in src: "nocolon"; expected SRC:DST/],
    [{ volumes: [{ source: '/a', target: 'rel' }] }, /invalid volumes in src: .*expected \{ source, target, readonly\? \}/],
    [{ volumes: '/a:/b' }, /invalid volumes in src: "\/a:\/b"; expected an array/],
    [{ onUnsupported: 'ignore' }, /invalid onUnsupported in src: "ignore"; expected one of "error", "warn"/],
    [{ memroy: '1G' }, /invalid memroy in src: "1G"; expected one of the options memory, pidsLimit/],
    [{ warnAt: 90 }, /invalid warnAt in src: 90; expected a share of the budget above 0 and at most 1, such as 0\.9/],
    [{ report: true }, /invalid report in src: true; expected a file path relative to the project root, or false/],
    [[], /invalid options in src/],
  ])('rejects %j naming where, what and the expected form', (options, message) => {
    expect(() => validateOptions(options, 'src')).toThrow(message)
  })
})

describe('fileOptions', () => {
  it('merges plugin defaults, config environmentOptions and the docblock key by key', () => {
    const merged = fileOptions({ memory: '256MiB', network: 'none', reporter: false, warnAt: 0.9, history: false }, { pidsLimit: 10 }, { memory: '64MiB' })
    expect(merged).toEqual({ memory: '64MiB', network: 'none', pidsLimit: 10 })
  })

  it('names the docblock as the source of a bad value', () => {
    expect(() => fileOptions({}, undefined, { memory: 'x' })).toThrow(/invalid memory in @vitest-environment-options: "x"/)
  })
})
