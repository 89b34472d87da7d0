import { describe, expect, it } from 'vitest'
import { normalizeOptions } from './container-options.js'
import { checkVolumeObject, parseVolume, toVolume } from './volume.js'

describe('parseVolume', () => {
  it('parses SRC:DST[:ro|rw], resolving SRC against the cwd', () => {
    expect(parseVolume('volume', 'data:/data:ro', '/proj')).toEqual({ source: '/proj/data', target: '/data', readonly: true })
    expect(parseVolume('volume', '/a:/b', '/proj')).toEqual({ source: '/a', target: '/b', readonly: false })
  })

  it.each(['/a', '/a:b', '/a:/b:rx', ':/b', '/a:/b:ro:x', '/a\0:/b'])('rejects %j', (value) => {
    expect(() => parseVolume('volume', value, '/')).toThrow(/expected SRC:DST\[:ro\|rw\]/)
  })
})

describe('checkVolumeObject', () => {
  it('keeps paths that contain ":" as they are, and resolves a relative source against the cwd', () => {
    expect(checkVolumeObject('volume', { source: 'a:b', target: '/c:d', readonly: true }, '/proj:x')).toEqual({
      source: '/proj:x/a:b',
      target: '/c:d',
      readonly: true,
    })
    expect(checkVolumeObject('volume', { source: '/s', target: '/t' }, '/')).toEqual({ source: '/s', target: '/t', readonly: false })
  })

  it.each([
    [null, /expected \{ source, target, readonly\? \}/],
    [['/a', '/b'], /expected \{ source, target/],
    [{ source: '/a' }, /expected \{ source, target/],
    [{ source: '/a', target: 'relative' }, /expected \{ source, target/],
    [{ source: '', target: '/b' }, /expected \{ source, target/],
    [{ source: '/a\0', target: '/b' }, /expected \{ source, target/],
    [{ source: '/a', target: '/b', readonly: 'yes' }, /readonly is true or false/],
  ])('rejects %j', (value, message) => {
    expect(() => checkVolumeObject('volume', value, '/')).toThrow(message)
  })
})

describe('toVolume', () => {
  it('takes either form', () => {
    expect(toVolume('v', '/a:/b:ro', '/')).toEqual({ source: '/a', target: '/b', readonly: true })
    expect(toVolume('v', { source: '/a', target: '/b' }, '/')).toEqual({ source: '/a', target: '/b', readonly: false })
  })
})

describe('normalizeOptions with volume objects', () => {
  it('passes a source path with ":" through without re-parsing it', () => {
    const config = normalizeOptions({ command: ['true'], volumes: [{ source: '/', target: '/mnt/a:b', readonly: true }] }, '/')
    expect(config.volumes).toEqual([{ source: '/', target: '/mnt/a:b', readonly: true }])
  })
})
