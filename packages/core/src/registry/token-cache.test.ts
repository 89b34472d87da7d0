import { describe, expect, it } from 'vitest'
import { TokenCache } from './token-cache.js'

describe('TokenCache', () => {
  it('token-expiry-60s: a token without expires_in lasts 60 s, one with it as long as it says', () => {
    let now = 1_000_000
    const cache = new TokenCache(() => now)
    cache.set('a', 'ta', undefined)
    cache.set('b', 'tb', 300)
    now += 57_000
    expect(cache.get('a')).toBe('ta')
    now += 2_000
    expect(cache.get('a')).toBeNull()
    expect(cache.get('b')).toBe('tb')
  })
})
