import { createRequire } from 'node:module'
import { constants } from 'node:os'
import type * as Koffi from 'koffi'

/**
 * The few system calls Node lacks, through koffi: openat2 (in-root resolution), the *at calls relative to a
 * resolved directory fd, mknodat (whiteouts, FIFOs), fsetxattr/fgetxattr (opaque directories) and flock
 * (extraction locks, leases). Bound on first use, so importing testcell never needs them.
 */

let bound: ReturnType<typeof bind> | null = null

function bind() {
  const koffi = createRequire(import.meta.url)('koffi') as typeof Koffi
  const libc = koffi.load('libc.so.6')
  const openHow = koffi.struct('testcell_open_how', { flags: 'uint64_t', mode: 'uint64_t', resolve: 'uint64_t' })
  return {
    koffi,
    openHowPointer: koffi.pointer(openHow),
    openHowSize: koffi.sizeof(openHow),
    syscall: libc.func('long syscall(long number, ...)'),
    mknodat: libc.func('int mknodat(int dirfd, const char *path, uint32_t mode, uint64_t dev)'),
    fsetxattr: libc.func('int fsetxattr(int fd, const char *name, const void *value, size_t size, int flags)'),
    fgetxattr: libc.func('long fgetxattr(int fd, const char *name, _Out_ uint8_t *value, size_t size)'),
    flock: libc.func('int flock(int fd, int operation)'),
    mkdirat: libc.func('int mkdirat(int dirfd, const char *path, uint32_t mode)'),
    symlinkat: libc.func('int symlinkat(const char *target, int dirfd, const char *path)'),
    unlinkat: libc.func('int unlinkat(int dirfd, const char *path, int flags)'),
    linkat: libc.func('int linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int flags)'),
    fchownat: libc.func('int fchownat(int dirfd, const char *path, uint32_t uid, uint32_t gid, int flags)'),
    utimensat: libc.func('int utimensat(int dirfd, const char *path, const void *times, int flags)'),
  }
}

function libc(): ReturnType<typeof bind> {
  bound ??= bind()
  return bound
}

const SYS_OPENAT2: Partial<Record<string, number>> = { x64: 437, arm64: 437, riscv64: 437, ia32: 437, arm: 437, ppc64: 437, s390x: 437 }

export const RESOLVE_NO_MAGICLINKS = 0x02
export const RESOLVE_NO_SYMLINKS = 0x04
export const RESOLVE_BENEATH = 0x08
export const RESOLVE_IN_ROOT = 0x10
export const O_PATH = 0o10000000
export const O_CLOEXEC = 0o2000000
export const AT_SYMLINK_NOFOLLOW = 0x100
export const AT_REMOVEDIR = 0x200
export const LOCK_SH = 1
export const LOCK_EX = 2
export const LOCK_NB = 4
export const LOCK_UN = 8

/** An errno from a system call, shaped like Node's fs errors (`code`, `errno`, `syscall`, `path`). */
export class SyscallError extends Error {
  readonly code: string
  readonly errno: number
  constructor(
    readonly syscall: string,
    errno: number,
    readonly path?: string,
  ) {
    const code = errnoName(errno)
    super(`${syscall}${path === undefined ? '' : ` ${path}`}: ${code}`)
    this.code = code
    this.errno = errno
  }
}

function errnoName(errno: number): string {
  for (const [name, value] of Object.entries(constants.errno)) if (value === errno) return name
  return `errno ${errno}`
}

function check(result: number | bigint, name: string, path?: string): number {
  const value = Number(result)
  if (value < 0) throw new SyscallError(name, libc().koffi.errno(), path)
  return value
}

/** openat2(2): `path` resolved below `dirfd` as `resolve` says; returns the new fd. */
export function openat2(dirfd: number, path: string, flags: number, resolve: number, mode = 0): number {
  const nr = SYS_OPENAT2[process.arch]
  if (nr === undefined) throw new SyscallError('openat2', constants.errno.ENOSYS, path)
  const how = { flags: BigInt(flags | O_CLOEXEC), mode: BigInt(mode), resolve: BigInt(resolve) }
  const { syscall, openHowPointer, openHowSize } = libc()
  return check(syscall(nr, 'int', dirfd, 'const char *', path, openHowPointer, how, 'size_t', openHowSize), 'openat2', path)
}

export function mkdirat(dirfd: number, name: string, mode: number): void {
  check(libc().mkdirat(dirfd, name, mode), 'mkdirat', name)
}

export function symlinkat(target: string, dirfd: number, name: string): void {
  check(libc().symlinkat(target, dirfd, name), 'symlinkat', name)
}

export function unlinkat(dirfd: number, name: string, flags = 0): void {
  check(libc().unlinkat(dirfd, name, flags), 'unlinkat', name)
}

/** linkat(2) without AT_SYMLINK_FOLLOW: a symlink named as the source is linked itself, never followed. */
export function linkat(olddirfd: number, oldname: string, newdirfd: number, newname: string): void {
  check(libc().linkat(olddirfd, oldname, newdirfd, newname, 0), 'linkat', newname)
}

export function fchownat(dirfd: number, name: string, uid: number, gid: number, flags: number): void {
  check(libc().fchownat(dirfd, name, uid, gid, flags), 'fchownat', name)
}

/** Sets atime and mtime of `name` (both to `time`), not following a symlink. */
export function lutimesat(dirfd: number, name: string, time: Date): void {
  const times = Buffer.alloc(32)
  const ms = time.getTime()
  const sec = BigInt(Math.floor(ms / 1000))
  const nsec = BigInt((ms - Math.floor(ms / 1000) * 1000) * 1e6)
  for (const at of [0, 16]) {
    times.writeBigInt64LE(sec, at)
    times.writeBigInt64LE(nsec, at + 8)
  }
  check(libc().utimensat(dirfd, name, times, AT_SYMLINK_NOFOLLOW), 'utimensat', name)
}

export function mknodat(dirfd: number, name: string, mode: number, dev = 0): void {
  check(libc().mknodat(dirfd, name, mode, dev), 'mknodat', name)
}

export function fsetxattr(fd: number, name: string, value: string): void {
  const data = Buffer.from(value)
  check(libc().fsetxattr(fd, name, data, data.length, 0), 'fsetxattr', name)
}

/** The value of an extended attribute, or null when the file has none of that name. */
export function fgetxattr(fd: number, name: string): string | null {
  const buffer = Buffer.alloc(256)
  const n = Number(libc().fgetxattr(fd, name, buffer, buffer.length))
  if (n >= 0) return buffer.subarray(0, n).toString()
  const errno = libc().koffi.errno()
  if (errno === constants.errno.ENODATA || errno === constants.errno.ENOTSUP) return null
  throw new SyscallError('fgetxattr', errno, name)
}

/** flock(2); with LOCK_NB returns false instead of waiting when the lock is held elsewhere. */
export function flock(fd: number, operation: number): boolean {
  if (libc().flock(fd, operation) === 0) return true
  const errno = libc().koffi.errno()
  if (errno === constants.errno.EWOULDBLOCK) return false
  throw new SyscallError('flock', errno)
}
