// The busybox userland every crafted test image starts from: a static busybox and its applet links.
import { readFileSync } from 'node:fs'
import type { TarEntry } from './tar-writer.js'

export const APPLETS = [
  'sh',
  'cat',
  'ls',
  'echo',
  'id',
  'stat',
  'readlink',
  'mkdir',
  'touch',
  'rm',
  'sleep',
  'true',
  'env',
  'test',
  'wc',
  'head',
  'grep',
  'find',
  'ln',
]

export function busyboxLayer(extra: TarEntry[] = []): TarEntry[] {
  return [
    { path: 'bin/', type: 'dir' },
    { path: 'bin/busybox', data: readFileSync('/bin/busybox'), mode: 0o755 },
    ...APPLETS.map((name): TarEntry => ({ path: `bin/${name}`, type: 'symlink', linkpath: 'busybox' })),
    { path: 'etc/', type: 'dir' },
    { path: 'etc/os-release', data: 'NAME="testcell busybox"\nID=busybox\n' },
    { path: 'tmp/', type: 'dir', mode: 0o1777 },
    ...extra,
  ]
}
