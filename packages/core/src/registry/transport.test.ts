import { describe, expect, it } from 'vitest'
import { parseChallenge } from './challenge.js'
import { registryScheme } from './transport.js'

describe('registryScheme', () => {
  it('uses plain HTTP only for loopback and named insecure registries', () => {
    expect(registryScheme('127.0.0.1:5000', {})).toBe('http')
    expect(registryScheme('localhost:5000', {})).toBe('http')
    expect(registryScheme('[::1]:5000', {})).toBe('http')
    expect(registryScheme('10.0.0.5:5000', {})).toBe('https')
    expect(registryScheme('registry-1.docker.io', {})).toBe('https')
    expect(registryScheme('10.0.0.5:5000', { TESTCELL_INSECURE_REGISTRIES: 'example.org, 10.0.0.5:5000' })).toBe('http')
  })
})

describe('parseChallenge', () => {
  it('reads Bearer parameters, quoted values with commas included', () => {
    expect(parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/a:pull,push"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/a:pull,push' },
    })
    expect(parseChallenge('Basic realm="Registry Realm"')).toEqual({ scheme: 'basic', params: { realm: 'Registry Realm' } })
  })
})
