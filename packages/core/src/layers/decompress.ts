import { spawn } from 'node:child_process'
import { closeSync, openSync, readSync } from 'node:fs'
import { Duplex } from 'node:stream'
import zlib from 'node:zlib'
import { ImageError } from '../errors.js'

export type Compression = 'gzip' | 'zstd' | 'none'

/** Compression told by magic bytes, never by file name or media type (both are often wrong). */
export function sniffCompression(head: Uint8Array): Compression {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip'
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd'
  return 'none'
}

export function sniffFile(file: string): Compression {
  const fd = openSync(file, 'r')
  try {
    const head = Buffer.alloc(4)
    return sniffCompression(head.subarray(0, readSync(fd, head, 0, 4, 0)))
  } finally {
    closeSync(fd)
  }
}

type ZstdZlib = typeof zlib & { createZstdDecompress?: () => Duplex }

/** A stream that decompresses `kind`; zstd through zlib (Node ≥ 22.15) or else the `zstd` command. */
export function decompressor(kind: Compression, blob: string): Duplex | null {
  switch (kind) {
    case 'none':
      return null
    case 'gzip':
      return zlib.createGunzip({ chunkSize: 1 << 20 })
    case 'zstd': {
      const native = (zlib as ZstdZlib).createZstdDecompress
      return native ? native() : zstdCommand(blob)
    }
  }
}

function zstdCommand(blob: string): Duplex {
  const child = spawn('zstd', ['-dc', '-q'], { stdio: ['pipe', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr += d))
  const duplex = Duplex.from({ writable: child.stdin, readable: child.stdout })
  child.on('error', (cause) => {
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT'
    duplex.destroy(
      new ImageError(
        'TESTCELL_IMAGE_LAYER',
        missing
          ? `layer ${blob} is zstd-compressed: this needs Node.js >= 22.15 or the zstd command (Debian/Ubuntu: apt-get install zstd)`
          : `layer ${blob}: cannot run zstd: ${cause.message}`,
        { cause, blob },
      ),
    )
  })
  child.on('close', (code) => {
    if (code !== 0 && code !== null)
      duplex.destroy(new ImageError('TESTCELL_IMAGE_LAYER', `layer ${blob}: zstd failed: ${stderr.trim() || `exit ${code}`}`, { blob }))
  })
  return duplex
}
