import { describe, expect, it } from 'vitest'
import { formatAmount, formatLimit, parseSize } from './size.js'

describe('parseSize', () => {
  it.each([
    ['256MiB', 256 * 1024 ** 2],
    ['256M', 256 * 1024 ** 2],
    ['256m', 256 * 1024 ** 2],
    ['1GiB', 1024 ** 3],
    ['1.5G', 1.5 * 1024 ** 3],
    ['64 MiB', 64 * 1024 ** 2],
    ['1048576', 1048576],
    [4096, 4096],
  ])('%s', (input, bytes) => {
    expect(parseSize('memory', input)).toBe(bytes)
  })

  it.each(['', 'lots', '12XB', '-1M', '0', 0, -5, 1.5, null, '1.5.2G'])('rejects %j naming the option and the form', (input) => {
    expect(() => parseSize('memory', input)).toThrow(/invalid memory: .*expected a size such as 256MiB/)
  })
})

describe('formatting', () => {
  it('prints limits without noise and amounts with one decimal', () => {
    expect(formatLimit(64 * 1024 ** 2)).toBe('64 MiB')
    expect(formatLimit(1.5 * 1024 ** 3)).toBe('1.5 GiB')
    expect(formatAmount(64 * 1024 ** 2)).toBe('64.0 MiB')
    expect(formatAmount(1536)).toBe('1.5 KiB')
  })
})
