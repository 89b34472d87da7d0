import { describe, expect, it } from 'vitest'
import { entryComponents, whiteoutKind } from './entry-path.js'

describe('entryComponents', () => {
  it('drops a leading slash or ./ and empty components', () => {
    expect(entryComponents('./usr//bin/')).toEqual(['usr', 'bin'])
    expect(entryComponents('/etc/passwd')).toEqual(['etc', 'passwd'])
    expect(entryComponents('.')).toEqual([])
  })
  it('refuses .. anywhere', () => {
    expect(entryComponents('../escape')).toBeNull()
    expect(entryComponents('a/../b')).toBeNull()
  })
})

describe('whiteoutKind', () => {
  it('tells whiteouts, opaque markers, AUFS metadata and invalid names apart', () => {
    expect(whiteoutKind('.wh.passwd')).toEqual({ kind: 'whiteout', name: 'passwd' })
    expect(whiteoutKind('.wh..wh..opq')).toEqual({ kind: 'opaque' })
    expect(whiteoutKind('.wh..wh.plnk')).toEqual({ kind: 'aufs-meta' })
    expect(whiteoutKind('.wh.')).toEqual({ kind: 'invalid' })
    expect(whiteoutKind('passwd')).toEqual({ kind: 'none' })
  })
})
