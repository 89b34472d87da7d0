// A small tar writer for crafted test layers: it writes exactly what it is told, including what real tools
// refuse to write (`..`, absolute names, devices, base-256 ids, PAX records before GNU long names).

export interface TarEntry {
  path: string
  type?: 'file' | 'dir' | 'symlink' | 'link' | 'char' | 'block' | 'fifo'
  data?: string | Buffer
  linkpath?: string
  mode?: number
  uid?: number
  gid?: number
  mtime?: number
  devmajor?: number
  devminor?: number
  /** PAX records written in an `x` header before the entry (e.g. SCHILY.xattr.*). */
  pax?: Record<string, string>
  /** Write the name as a GNU `L` long-name entry first. */
  gnuLongName?: boolean
  /** Write the link target as a GNU `K` long-link entry first. */
  gnuLongLink?: boolean
}

const TYPEFLAG = { file: '0', link: '1', symlink: '2', char: '3', block: '4', dir: '5', fifo: '6' } as const

export function tar(entries: readonly TarEntry[], { end = true } = {}): Buffer {
  const blocks: Buffer[] = []
  for (const entry of entries) {
    const type = entry.type ?? 'file'
    const data = type === 'file' ? Buffer.from(entry.data ?? '') : Buffer.alloc(0)
    if (entry.pax) blocks.push(...record(paxBody(entry.pax), 'x', 'PaxHeader'))
    if (entry.gnuLongName) blocks.push(...record(Buffer.from(`${entry.path}\0`), 'L', '././@LongLink'))
    if (entry.gnuLongLink) blocks.push(...record(Buffer.from(`${entry.linkpath}\0`), 'K', '././@LongLink'))
    blocks.push(
      header({
        name: entry.gnuLongName ? entry.path.slice(0, 99) : entry.path,
        mode: entry.mode ?? (type === 'dir' ? 0o755 : 0o644),
        uid: entry.uid ?? 0,
        gid: entry.gid ?? 0,
        size: data.length,
        mtime: entry.mtime ?? 1_700_000_000,
        typeflag: TYPEFLAG[type],
        linkname: entry.gnuLongLink ? (entry.linkpath ?? '').slice(0, 99) : (entry.linkpath ?? ''),
        devmajor: entry.devmajor ?? 0,
        devminor: entry.devminor ?? 0,
      }),
    )
    blocks.push(pad(data))
  }
  if (end) blocks.push(Buffer.alloc(1024))
  return Buffer.concat(blocks)
}

function record(body: Buffer, typeflag: string, name: string): Buffer[] {
  return [header({ name, mode: 0o644, uid: 0, gid: 0, size: body.length, mtime: 0, typeflag, linkname: '', devmajor: 0, devminor: 0 }), pad(body)]
}

function paxBody(records: Record<string, string>): Buffer {
  return Buffer.concat(
    Object.entries(records).map(([key, value]) => {
      const text = ` ${key}=${value}\n`
      let length = Buffer.byteLength(text) + 1
      while (String(length).length + Buffer.byteLength(text) !== length) length++
      return Buffer.from(`${length}${text}`)
    }),
  )
}

interface Header {
  name: string
  mode: number
  uid: number
  gid: number
  size: number
  mtime: number
  typeflag: string
  linkname: string
  devmajor: number
  devminor: number
}

function header(h: Header): Buffer {
  const block = Buffer.alloc(512)
  block.write(h.name, 0, 100, 'utf8')
  octal(block, 100, 8, h.mode)
  numeric(block, 108, 8, h.uid)
  numeric(block, 116, 8, h.gid)
  octal(block, 124, 12, h.size)
  octal(block, 136, 12, h.mtime)
  block.fill(' ', 148, 156)
  block.write(h.typeflag, 156, 1, 'latin1')
  block.write(h.linkname, 157, 100, 'utf8')
  block.write('ustar\0', 257, 6, 'latin1')
  block.write('00', 263, 2, 'latin1')
  octal(block, 329, 8, h.devmajor)
  octal(block, 337, 8, h.devminor)
  let sum = 0
  for (const byte of block) sum += byte
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1')
  return block
}

function octal(block: Buffer, offset: number, length: number, value: number): void {
  block.write(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, length, 'latin1')
}

/** Octal when it fits, else GNU base-256 (high bit set, big-endian). */
function numeric(block: Buffer, offset: number, length: number, value: number): void {
  if (value < 8 ** (length - 1)) {
    octal(block, offset, length, value)
    return
  }
  let rest = BigInt(value)
  for (let i = offset + length - 1; i > offset; i--) {
    block[i] = Number(rest & 0xffn)
    rest >>= 8n
  }
  block[offset] = 0x80
}

function pad(data: Buffer): Buffer {
  const rest = data.length % 512
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(512 - rest)])
}
