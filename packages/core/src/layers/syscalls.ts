import { constants } from 'node:os'
import koffi from 'koffi'

/**
 * The few system calls Node lacks, through koffi: openat2 (in-root resolution), mknodat (whiteouts, FIFOs),
 * fsetxattr (opaque directories) and flock (extraction locks, leases). Everything else uses Node's fs on
 * fds or on `/proc/self/fd/N/NAME` paths whose last component is a single name.
 */

const libc = koffi.load('libc.so.6')
const OpenHow = koffi.struct('testcell_open_how', { flags: 'uint64_t', mode: 'uint64_t', resolve: 'uint64_t' })
const syscall = libc.func('long syscall(long number, ...)')
const mknodatFn = libc.func('int mknodat(int dirfd, const char *path, uint32_t mode, uint64_t dev)')
const fsetxattrFn = libc.func('int fsetxattr(int fd, const char *name, const void *value, size_t size, int flags)')
const fgetxattrFn = libc.func('long fgetxattr(int fd, const char *name, _Out_ uint8_t *value, size_t size)')
const flockFn = libc.func('int flock(int fd, int operation)')

const SYS_OPENAT2: Partial<Record<string, number>> = { x64: 437, arm64: 437, riscv64: 437, ia32: 437, arm: 437, ppc64: 437, s390x: 437 }

export const RESOLVE_NO_MAGICLINKS = 0x02
export const RESOLVE_NO_SYMLINKS = 0x04
export const RESOLVE_BENEATH = 0x08
export const RESOLVE_IN_ROOT = 0x10
export const O_PATH = 0o10000000
export const O_CLOEXEC = 0o2000000
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
  if (value < 0) throw new SyscallError(name, koffi.errno(), path)
  return value
}

/** openat2(2): `path` resolved below `dirfd` as `resolve` says; returns the new fd. */
export function openat2(dirfd: number, path: string, flags: number, resolve: number, mode = 0): number {
  const nr = SYS_OPENAT2[process.arch]
  if (nr === undefined) throw new SyscallError('openat2', constants.errno.ENOSYS, path)
  const how = { flags: BigInt(flags | O_CLOEXEC), mode: BigInt(mode), resolve: BigInt(resolve) }
  return check(syscall(nr, 'int', dirfd, 'const char *', path, koffi.pointer(OpenHow), how, 'size_t', koffi.sizeof(OpenHow)), 'openat2', path)
}

export function mknodat(dirfd: number, name: string, mode: number, dev = 0): void {
  check(mknodatFn(dirfd, name, mode, dev), 'mknodat', name)
}

export function fsetxattr(fd: number, name: string, value: string): void {
  const data = Buffer.from(value)
  check(fsetxattrFn(fd, name, data, data.length, 0), 'fsetxattr', name)
}

/** The value of an extended attribute, or null when the file has none of that name. */
export function fgetxattr(fd: number, name: string): string | null {
  const buffer = Buffer.alloc(256)
  const n = Number(fgetxattrFn(fd, name, buffer, buffer.length))
  if (n >= 0) return buffer.subarray(0, n).toString()
  const errno = koffi.errno()
  if (errno === constants.errno.ENODATA || errno === constants.errno.ENOTSUP) return null
  throw new SyscallError('fgetxattr', errno, name)
}

/** flock(2); with LOCK_NB returns false instead of waiting when the lock is held elsewhere. */
export function flock(fd: number, operation: number): boolean {
  if (flockFn(fd, operation) === 0) return true
  const errno = koffi.errno()
  if (errno === constants.errno.EWOULDBLOCK) return false
  throw new SyscallError('flock', errno)
}
