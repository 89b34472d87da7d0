import { chmodSync, closeSync, constants, copyFileSync, fchmodSync, fchownSync, fstatSync, futimesSync, openSync, rmSync, type Stats, writeSync } from 'node:fs'
import type { ReadEntry } from 'tar'
import { ImageError } from '../errors.js'
import { entryComponents, OPAQUE_XATTR, whiteoutKind } from './entry-path.js'
import { findInLowers } from './lowers.js'
import {
  AT_SYMLINK_NOFOLLOW,
  fchownat,
  fsetxattr,
  linkat,
  lutimesat,
  mkdirat,
  mknodat,
  O_PATH,
  openat2,
  RESOLVE_BENEATH,
  RESOLVE_NO_MAGICLINKS,
  RESOLVE_NO_SYMLINKS,
  type SyscallError,
  symlinkat,
  unlinkat,
} from './syscalls.js'

/** How owners from the archive land on disk: exactly (root), or all as the extracting user (rootless). */
export type OwnerMode = 'exact' | 'squash'

export interface ApplierOptions {
  /** The (private, fresh) directory the layer is extracted into. */
  root: string
  owner: OwnerMode
  /** Extracted lower layers, topmost first: a hardlink to a file of theirs becomes a copy in this layer. */
  lowers: readonly string[]
  /** The blob, for error messages. */
  blob: string
}

export interface ApplyStats {
  entries: number
  bytes: number
  skippedDevices: number
}

interface Metadata {
  mode: number
  uid: number
  gid: number
  mtime: Date
}

const IN_ROOT = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS
const FILE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW

/**
 * Applies the entries of one layer tar into an empty directory, in the on-disk form overlayfs reads as a
 * lower layer: OCI whiteouts become 0/0 character devices, opaque markers the `user.overlay.opaque` xattr.
 * Every parent is resolved inside the root with openat2 and no symlink may be crossed, so no entry writes
 * outside the root, through a symlink, or links to a file outside it. Directory metadata, hardlinks whose
 * target comes later, whiteouts and opaque markers are applied at the end (`finish`), so member order does
 * not matter and a whiteout never hides an entry of its own layer.
 */
export class LayerApplier {
  readonly stats: ApplyStats = { entries: 0, bytes: 0, skippedDevices: 0 }
  private readonly rootFd: number
  private readonly dirs = new Map<string, Metadata>()
  private readonly opaque = new Set<string>()
  private readonly whiteouts: string[][] = []
  private readonly pendingLinks: { path: string[]; target: string[] }[] = []
  private cached: { key: string; fd: number } | null = null
  private failure: Error | null = null
  private openFile: { fd: number; path: string[] } | null = null

  constructor(private readonly options: ApplierOptions) {
    this.rootFd = openSync(options.root, constants.O_RDONLY | constants.O_DIRECTORY)
  }

  /** The first error an entry caused; the caller stops feeding the parser when it is set. */
  get error(): Error | null {
    return this.failure
  }

  /** Handles one entry (node-tar's `onReadEntry`); a file's data is written as it streams in. */
  entry(entry: ReadEntry): void {
    if (this.failure) {
      entry.resume()
      return
    }
    try {
      this.apply(entry)
    } catch (error) {
      this.fail(error, entry.path)
      entry.resume()
    }
  }

  /** Applies what had to wait for the whole layer; throws the first error met on the way. */
  finish(): void {
    if (this.failure) throw this.failure
    try {
      for (const link of this.pendingLinks) {
        if (!this.link(link.path, link.target)) {
          throw this.refuse(link.path, `hardlink target ${link.target.join('/')} is neither in this layer nor below it`)
        }
      }
      for (const key of this.opaque) this.markOpaque(key.split('/').filter(Boolean))
      for (const path of this.whiteouts) this.whiteout(path)
      const byDepth = [...this.dirs].sort(([a], [b]) => b.split('/').length - a.split('/').length)
      for (const [key, meta] of byDepth) this.setDirMetadata(key, meta)
    } finally {
      this.close()
    }
  }

  close(): void {
    this.forgetParent()
    if (this.openFile) closeSync(this.openFile.fd)
    this.openFile = null
    closeSync(this.rootFd)
  }

  private apply(entry: ReadEntry): void {
    const path = entryComponents(entry.path)
    if (path === null) throw this.refuse([entry.path], 'a name with ".." is refused')
    this.stats.entries++
    const meta = metadataOf(entry)
    if (path.length === 0) {
      if (entry.type !== 'Directory') throw this.refuse(['.'], `the layer root cannot become a ${entry.type}`)
      entry.resume()
      return
    }
    const name = path[path.length - 1]!
    if (path.slice(0, -1).some((part) => whiteoutKind(part).kind === 'aufs-meta')) return void entry.resume() // inside .wh..wh.plnk/
    if (path.slice(0, -1).some((part) => whiteoutKind(part).kind !== 'none')) throw this.refuse(path, 'a whiteout name cannot be a directory')
    const kind = whiteoutKind(name)
    if (kind.kind !== 'none') {
      entry.resume()
      if (kind.kind === 'invalid') throw this.refuse(path, 'an empty whiteout name is invalid')
      if (kind.kind === 'opaque') this.opaque.add(path.slice(0, -1).join('/'))
      if (kind.kind === 'whiteout') this.whiteouts.push([...path.slice(0, -1), kind.name])
      return // AUFS metadata (.wh..wh.plnk, .wh..wh.orph) is dropped
    }
    switch (entry.type) {
      case 'File':
      case 'OldFile':
      case 'ContiguousFile':
        this.file(entry, path, meta)
        return
      case 'Directory':
        entry.resume()
        this.directory(path, meta)
        return
      case 'SymbolicLink':
        entry.resume()
        this.symlink(path, entry.linkpath ?? '', meta)
        return
      case 'Link': {
        entry.resume()
        const target = entryComponents(entry.linkpath ?? '')
        if (target === null || target.length === 0) throw this.refuse(path, `hardlink target ${JSON.stringify(entry.linkpath)} is outside the layer`)
        if (!this.link(path, target)) this.pendingLinks.push({ path, target })
        return
      }
      case 'FIFO':
        entry.resume()
        this.fifo(path, meta)
        return
      case 'CharacterDevice':
      case 'BlockDevice':
        // Device nodes are never created: a container gets its own /dev, and a 0/0 one would act as a whiteout.
        entry.resume()
        this.stats.skippedDevices++
        return
      default:
        entry.resume()
        return
    }
  }

  private file(entry: ReadEntry, path: string[], meta: Metadata): void {
    const [dirfd, name] = this.parent(path)
    let fd: number
    try {
      fd = openat2(dirfd, name, FILE_FLAGS, IN_ROOT, 0o600)
    } catch (error) {
      if ((error as SyscallError).code !== 'EEXIST') throw error
      this.remove(dirfd, name)
      fd = openat2(this.parent(path)[0], name, FILE_FLAGS, IN_ROOT, 0o600)
    }
    this.openFile = { fd, path }
    entry.on('data', (chunk: Buffer) => {
      if (this.failure) return
      try {
        writeSync(fd, chunk)
        this.stats.bytes += chunk.length
      } catch (error) {
        this.fail(error, path.join('/'))
      }
    })
    entry.on('end', () => {
      this.openFile = null
      try {
        if (!this.failure) this.setFdMetadata(fd, meta)
      } catch (error) {
        this.fail(error, path.join('/'))
      } finally {
        closeSync(fd)
      }
    })
  }

  private directory(path: string[], meta: Metadata): void {
    const [dirfd, name] = this.parent(path)
    const existing = statAt(dirfd, name)
    if (existing && !existing.isDirectory()) this.remove(dirfd, name)
    if (!existing?.isDirectory()) mkdirat(this.parent(path)[0], name, 0o700)
    this.dirs.set(path.join('/'), meta)
  }

  private symlink(path: string[], target: string, meta: Metadata): void {
    const [dirfd, name] = this.replaceable(path)
    symlinkat(target, dirfd, name) // verbatim: an absolute or climbing target is resolved in the container's root
    if (this.options.owner === 'exact') fchownat(dirfd, name, meta.uid, meta.gid, AT_SYMLINK_NOFOLLOW)
    lutimesat(dirfd, name, meta.mtime)
  }

  private fifo(path: string[], meta: Metadata): void {
    const [dirfd, name] = this.replaceable(path)
    mknodat(dirfd, name, constants.S_IFIFO | 0o600)
    const fd = openat2(dirfd, name, O_PATH | constants.O_NOFOLLOW, IN_ROOT)
    try {
      if (this.options.owner === 'exact') fchownat(dirfd, name, meta.uid, meta.gid, AT_SYMLINK_NOFOLLOW)
      // fchmod refuses O_PATH fds; chmod of the fd's magic link acts on the FIFO the fd holds, nothing else.
      chmodSync(`/proc/self/fd/${fd}`, meta.mode)
      lutimesat(dirfd, name, meta.mtime)
    } finally {
      closeSync(fd)
    }
  }

  /** Links `path` to `target` (a link shares its target's metadata); false when the target is not there (yet). */
  private link(path: string[], target: string[]): boolean {
    const [tdir, tname] = this.resolveExisting(target)
    const source = tdir === null ? null : statAt(tdir, tname)
    if (tdir !== null) closeSync(tdir)
    if (source?.isDirectory()) throw this.refuse(path, `hardlink to the directory ${target.join('/')}`)
    if (!source && !this.copyFromLower(target)) return false
    const [dirfd, name] = this.replaceable(path)
    const [sourceDir, sourceName] = this.parent(target, false)
    // Both names were resolved inside the root; linkat never follows a symlink named as its source.
    linkat(sourceDir, sourceName, dirfd, name)
    if (sourceDir !== dirfd) closeSync(sourceDir)
    return true
  }

  /** A hardlink to a lower layer's file: overlayfs cannot link across layers, so the file is copied up first. */
  private copyFromLower(target: string[]): boolean {
    const found = findInLowers(this.options.lowers, target)
    if (!found) return false
    const [dirfd, name] = this.parent(target)
    const at = procPath(dirfd, name)
    copyFileSync(found.path, at, constants.COPYFILE_EXCL)
    const fd = openSync(at, constants.O_RDONLY | constants.O_NOFOLLOW)
    try {
      this.setFdMetadata(fd, { mode: found.stat.mode & 0o7777, uid: found.stat.uid, gid: found.stat.gid, mtime: found.stat.mtime })
    } finally {
      closeSync(fd)
    }
    return true
  }

  private markOpaque(path: string[]): void {
    const fd = this.directoryFd(path)
    try {
      fsetxattr(fd, OPAQUE_XATTR, 'y')
    } finally {
      closeSync(fd)
    }
  }

  private whiteout(path: string[]): void {
    for (let depth = 0; depth < path.length; depth++) {
      if (this.opaque.has(path.slice(0, depth).join('/'))) return // hidden anyway; overlay would list it
    }
    const [dirfd, name] = this.parent(path)
    const existing = statAt(dirfd, name)
    if (existing?.isDirectory()) {
      // The layer deletes the lower NAME and creates its own: only this layer's children may show.
      const fd = openat2(dirfd, name, constants.O_RDONLY | constants.O_DIRECTORY, IN_ROOT)
      try {
        fsetxattr(fd, OPAQUE_XATTR, 'y')
      } finally {
        closeSync(fd)
      }
    } else if (!existing) {
      mknodat(dirfd, name, constants.S_IFCHR, 0)
    }
    // Any other entry of this layer at NAME already hides the lower one.
  }

  private setDirMetadata(key: string, meta: Metadata): void {
    const fd = openat2(this.rootFd, key, constants.O_RDONLY | constants.O_DIRECTORY, IN_ROOT)
    try {
      this.setFdMetadata(fd, meta)
    } finally {
      closeSync(fd)
    }
  }

  /** Owner first, then mode: chown clears setuid and setgid bits, chmod puts them back. */
  private setFdMetadata(fd: number, meta: Metadata): void {
    if (this.options.owner === 'exact') fchownSync(fd, meta.uid, meta.gid)
    fchmodSync(fd, meta.mode)
    futimesSync(fd, meta.mtime, meta.mtime)
  }

  /** The parent directory of `path` (created as 0755 directories where the archive did not list them). */
  private parent(path: string[], create = true): [number, string] {
    const key = path.slice(0, -1).join('/')
    const name = path[path.length - 1]!
    if (this.cached?.key === key) return [this.cached.fd, name]
    let fd: number
    try {
      fd = key === '' ? openat2(this.rootFd, '.', O_PATH | constants.O_DIRECTORY, IN_ROOT) : openat2(this.rootFd, key, O_PATH | constants.O_DIRECTORY, IN_ROOT)
    } catch (error) {
      const code = (error as SyscallError).code
      if (code === 'ELOOP') throw this.refuse(path, 'its parent directory is a symlink; no entry may be written through a symlink')
      if (code === 'ENOTDIR') throw this.refuse(path, 'its parent is not a directory')
      if (code !== 'ENOENT' || !create) throw error
      fd = this.createParents(path.slice(0, -1))
    }
    this.forgetParent()
    this.cached = { key, fd }
    return [fd, name]
  }

  private createParents(dirs: string[]): number {
    let fd = openat2(this.rootFd, '.', O_PATH | constants.O_DIRECTORY, IN_ROOT)
    for (const part of dirs) {
      try {
        mkdirat(fd, part, 0o755)
      } catch (error) {
        if ((error as SyscallError).code !== 'EEXIST') throw error
      }
      let next: number
      try {
        next = openat2(fd, part, O_PATH | constants.O_DIRECTORY, IN_ROOT)
      } catch (error) {
        closeSync(fd)
        if ((error as SyscallError).code === 'ELOOP') throw this.refuse(dirs, 'its parent directory is a symlink; no entry may be written through a symlink')
        throw error
      }
      closeSync(fd)
      fd = next
    }
    return fd
  }

  /** The parent of a path that must exist already (a hardlink target): [null, name] when it does not. */
  private resolveExisting(path: string[]): [number | null, string] {
    const key = path.slice(0, -1).join('/') || '.'
    try {
      return [openat2(this.rootFd, key, O_PATH | constants.O_DIRECTORY, IN_ROOT), path[path.length - 1]!]
    } catch (error) {
      const code = (error as SyscallError).code
      if (code === 'ELOOP') throw this.refuse(path, 'hardlink target lies behind a symlink')
      if (code === 'ENOENT' || code === 'ENOTDIR') return [null, '']
      throw error
    }
  }

  private directoryFd(path: string[]): number {
    if (path.length === 0) return openat2(this.rootFd, '.', constants.O_RDONLY | constants.O_DIRECTORY, IN_ROOT)
    const [dirfd, name] = this.parent(path)
    try {
      mkdirat(dirfd, name, 0o755)
    } catch (error) {
      if ((error as SyscallError).code !== 'EEXIST') throw error
    }
    try {
      return openat2(dirfd, name, constants.O_RDONLY | constants.O_DIRECTORY, IN_ROOT)
    } catch (error) {
      if ((error as SyscallError).code === 'ENOTDIR' || (error as SyscallError).code === 'ELOOP')
        throw this.refuse(path, 'an opaque marker in something that is not a directory')
      throw error
    }
  }

  /** The parent of `path`, with whatever this layer already had at `path` removed. */
  private replaceable(path: string[]): [number, string] {
    const [dirfd, name] = this.parent(path)
    if (statAt(dirfd, name)) {
      this.remove(dirfd, name)
      return [this.parent(path)[0], name]
    }
    return [dirfd, name]
  }

  private remove(dirfd: number, name: string): void {
    if (statAt(dirfd, name)?.isDirectory()) {
      rmSync(procPath(dirfd, name), { recursive: true }) // this layer's own directory (0700 until finish); never follows links
      this.forgetParent()
      for (const key of [...this.dirs.keys()]) if (!existsIn(this.rootFd, key)) this.dirs.delete(key)
    } else {
      unlinkat(dirfd, name)
    }
  }

  private forgetParent(): void {
    if (this.cached) closeSync(this.cached.fd)
    this.cached = null
  }

  private refuse(path: string[], why: string): ImageError {
    return new ImageError('TESTCELL_IMAGE_LAYER', `layer ${this.options.blob}: entry ${path.join('/')}: ${why}`, { blob: this.options.blob })
  }

  private fail(error: unknown, path: string): void {
    if (this.failure) return
    this.failure =
      error instanceof ImageError
        ? error
        : new ImageError('TESTCELL_IMAGE_LAYER', `layer ${this.options.blob}: entry ${path}: ${(error as Error).message}`, {
            cause: error,
            blob: this.options.blob,
          })
  }
}

function metadataOf(entry: ReadEntry): Metadata {
  return { mode: (entry.mode ?? 0o644) & 0o7777, uid: entry.uid ?? 0, gid: entry.gid ?? 0, mtime: entry.mtime ?? new Date(0) }
}

function procPath(dirfd: number, name: string): string {
  return `/proc/self/fd/${dirfd}/${name}`
}

/** What is at `name` in `dirfd` (not following a symlink), or null. */
function statAt(dirfd: number, name: string): Stats | null {
  let fd: number
  try {
    fd = openat2(dirfd, name, O_PATH | constants.O_NOFOLLOW, IN_ROOT)
  } catch (error) {
    if ((error as SyscallError).code === 'ENOENT') return null
    throw error
  }
  try {
    return fstatSync(fd)
  } finally {
    closeSync(fd)
  }
}

function existsIn(rootFd: number, path: string): boolean {
  try {
    closeSync(openat2(rootFd, path, O_PATH | constants.O_NOFOLLOW, IN_ROOT))
    return true
  } catch {
    return false
  }
}
