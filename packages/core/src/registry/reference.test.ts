import { describe, expect, it } from 'vitest'
import { parseRegistryReference } from './reference.js'

describe('parseRegistryReference', () => {
  it('defaults to Docker Hub, library/ and :latest', () => {
    expect(parseRegistryReference('busybox')).toMatchObject({
      host: 'registry-1.docker.io',
      repository: 'library/busybox',
      tag: 'latest',
      canonical: 'docker.io/library/busybox:latest',
    })
    expect(parseRegistryReference('node:22-slim')).toMatchObject({ repository: 'library/node', tag: '22-slim' })
  })
  it('tells a registry host by a dot, a port or localhost', () => {
    expect(parseRegistryReference('127.0.0.1:5000/testcell/busybox:top')).toMatchObject({ host: '127.0.0.1:5000', repository: 'testcell/busybox', tag: 'top' })
    expect(parseRegistryReference('localhost/a/b')).toMatchObject({ host: 'localhost', repository: 'a/b' })
    expect(parseRegistryReference(`ghcr.io/org/app@sha256:${'a'.repeat(64)}`)).toMatchObject({ host: 'ghcr.io', tag: null, digest: `sha256:${'a'.repeat(64)}` })
  })
  it('explains what is wrong', () => {
    expect(parseRegistryReference('Busybox')).toMatch(/not a repository name/)
    expect(parseRegistryReference('busybox:bad tag')).toMatch(/not a tag/)
    expect(parseRegistryReference('busybox@sha256:xyz')).toMatch(/not a digest/)
  })
})
