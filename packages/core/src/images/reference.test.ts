import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseImageReference } from './reference.js'

const dir = mkdtempSync(join(tmpdir(), 'testcell-ref-'))
writeFileSync(join(dir, 'busybox.tar'), '')

describe('parseImageReference', () => {
  it('reads the transports, paths relative to the cwd', () => {
    expect(parseImageReference('docker-archive:./busybox.tar', dir)).toMatchObject({ transport: 'docker-archive', path: join(dir, 'busybox.tar'), ref: null })
    expect(parseImageReference('oci-archive:busybox.tar:top', dir)).toMatchObject({ transport: 'oci-archive', ref: 'top' })
    expect(parseImageReference(`oci:${dir}:v1`, dir)).toMatchObject({ transport: 'oci', path: dir, ref: 'v1' })
    expect(parseImageReference('rootfs:busybox.tar', dir)).toMatchObject({ transport: 'rootfs' })
    expect(parseImageReference('debian:bookworm-slim', dir)).toMatchObject({ transport: 'registry', text: 'docker.io/library/debian:bookworm-slim' })
  })
  it('names a missing file', () => {
    expect(() => parseImageReference('docker-archive:./missing.tar', dir)).toThrow(`${join(dir, 'missing.tar')} does not exist`)
    expect(() => parseImageReference('oci:./busybox.tar', dir)).toThrow(/a directory/)
  })
  it('lists the forms for a bad reference', () => {
    expect(() => parseImageReference('Not A Ref', dir)).toThrow(/oci:DIR\[:REF\]/)
    expect(() => parseImageReference(42, dir)).toThrow(/invalid image: 42/)
  })
})
