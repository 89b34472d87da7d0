import { realpathSync } from 'node:fs'
import { dirname } from 'node:path'
import { describe, expect, it } from 'vitest'
import { mappedFileDirs, runtimePaths } from './runtime-paths.js'

const MAPS = `
55d0c7a00000-55d0c7e00000 r--p 00000000 08:01 1234  /tmp/n/node_modules/node/bin/node
7f0000000000-7f0000001000 r-xp 00000000 08:01 99    /tmp/libs dir/libcustom.so.1 (deleted)
7f0000002000-7f0000003000 r--p 00000000 08:01 100   /usr/lib/x86_64-linux-gnu/libc.so.6
7f0000004000-7f0000005000 r--p 00000000 08:01 101   /lib64/ld-linux-x86-64.so.2
7f0000006000-7f0000007000 r--p 00000000 08:01 102   /etc/ld.so.cache
7f0000008000-7f0000009000 rw-s 00000000 00:01 103   /memfd:doublemapper (deleted)
7f000000a000-7f000000b000 rw-s 00000000 00:05 104   /dev/zero (deleted)
7f000000c000-7f000000d000 rw-p 00000000 00:00 0     [heap]
7f000000e000-7f000000f000 r--p 00000000 08:01 105   /opt/node-22/lib/libnode.so.127
`

describe('mappedFileDirs', () => {
  it('lists the directories of mapped files outside the system directories', () => {
    expect(mappedFileDirs(MAPS)).toEqual(['/tmp/n/node_modules/node/bin', '/tmp/libs dir', '/opt/node-22/lib'])
  })
})

describe('runtimePaths', () => {
  it("includes the real directory of this process's Node binary", () => {
    expect(runtimePaths()).toContain(dirname(realpathSync(process.execPath)))
  })
})
