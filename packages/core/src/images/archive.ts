import { createHash } from 'node:crypto'
import { closeSync, createReadStream, openSync, readFileSync, writeSync } from 'node:fs'
import { join, posix } from 'node:path'
import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { Parser, type ReadEntry } from 'tar'
import { ImageError } from '../errors.js'
import { decompressor, sniffFile } from '../layers/decompress.js'
import { entryComponents } from '../layers/entry-path.js'

type Member = { kind: 'file'; path: string; size: number; digest: string } | { kind: 'link'; target: string }

/** The members of an image archive (`docker save`, oci-archive), spooled to scratch files in one pass. */
export class Archive {
  constructor(
    readonly where: string,
    private readonly members: Map<string, Member>,
  ) {}

  has(name: string): boolean {
    return this.resolve(name) !== null
  }

  /** The spooled file of a member, following symlinks inside the archive (skopeo links layer.tar files). */
  resolve(name: string): { path: string; digest: string } | null {
    let current = normalize(name)
    for (let hops = 0; hops < 40 && current !== null; hops++) {
      const member = this.members.get(current)
      if (!member) return null
      if (member.kind === 'file') return member
      current = member.target.startsWith('/') ? normalize(member.target) : normalize(posix.join(posix.dirname(current), member.target))
    }
    return null
  }

  json<T>(name: string): T {
    const member = this.resolve(name)
    if (!member) throw new ImageError('TESTCELL_IMAGE', `${this.where} has no ${name}`)
    try {
      return JSON.parse(readFileSync(member.path, 'utf8')) as T
    } catch (cause) {
      throw new ImageError('TESTCELL_IMAGE', `${this.where}: ${name} is not valid JSON`, { cause })
    }
  }
}

function normalize(name: string): string | null {
  const parts = entryComponents(posix.normalize(name))
  return parts === null ? null : parts.join('/')
}

/** Reads an (optionally compressed) tar of an image into `workDir`, hashing each member on the way. */
export async function readArchive(file: string, workDir: string, where: string): Promise<Archive> {
  const members = new Map<string, Member>()
  let counter = 0
  let failure: Error | null = null
  const onEntry = (entry: ReadEntry) => {
    const name = normalize(entry.path)
    if (name === null || name === '') return void entry.resume()
    if (entry.type === 'SymbolicLink' || entry.type === 'Link') {
      members.set(name, { kind: 'link', target: entry.type === 'Link' ? `/${entry.linkpath ?? ''}` : (entry.linkpath ?? '') })
      return void entry.resume()
    }
    if (entry.type !== 'File' && entry.type !== 'OldFile' && entry.type !== 'ContiguousFile') return void entry.resume()
    const path = join(workDir, String(counter++))
    const fd = openSync(path, 'wx', 0o600)
    const hash = createHash('sha256')
    let size = 0
    entry.on('data', (chunk: Buffer) => {
      try {
        writeSync(fd, chunk)
        hash.update(chunk)
        size += chunk.length
      } catch (error) {
        failure ??= error as Error
      }
    })
    entry.on('end', () => {
      closeSync(fd)
      members.set(name, { kind: 'file', path, size, digest: `sha256:${hash.digest('hex')}` })
    })
  }
  const parser = new Parser({
    onReadEntry: onEntry,
    onwarn: (code: string, message: string | Error) => {
      if (code !== 'TAR_ENTRY_INFO') failure ??= new Error(`${code}: ${message instanceof Error ? message.message : message}`)
    },
  })
  const ended = new Promise<void>((resolve) => parser.on('end', () => resolve()))
  const unzip = decompressor(sniffFile(file), where)
  try {
    await pipeline([
      createReadStream(file, { highWaterMark: 1 << 20 }),
      ...(unzip ? [unzip] : []),
      new Writable({
        highWaterMark: 1 << 20,
        write(chunk: Buffer, _encoding, done) {
          parser.write(chunk)
          done(failure ?? undefined)
        },
        final(done) {
          parser.end()
          ended.then(() => done(failure ?? undefined), done)
        },
      }),
    ])
  } catch (cause) {
    throw new ImageError('TESTCELL_IMAGE', `${where} cannot be read as a tar archive: ${(cause as Error).message}`, { cause })
  }
  return new Archive(where, members)
}
