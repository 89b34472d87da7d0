import { closeSync, constants, fstatSync, openSync, statSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { flock, LOCK_EX, LOCK_NB, LOCK_SH } from '../layers/syscalls.js'

export type LockMode = 'shared' | 'exclusive'

/** A held flock(2) lock; released by `release()` or when this process dies, never left behind. */
export class HeldLock implements Disposable {
  private fd: number | null

  constructor(
    fd: number,
    readonly path: string,
  ) {
    this.fd = fd
  }

  release(): void {
    if (this.fd === null) return
    closeSync(this.fd) // closing the only fd of this open file description drops the lock
    this.fd = null
  }

  [Symbol.dispose](): void {
    this.release()
  }
}

/** Takes the lock now, or returns null if another holder is in the way. */
export function tryLock(path: string, mode: LockMode): HeldLock | null {
  for (;;) {
    const fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o600)
    if (!flock(fd, (mode === 'shared' ? LOCK_SH : LOCK_EX) | LOCK_NB)) {
      closeSync(fd)
      return null
    }
    // The lock file may have been removed (prune) between open and flock: then it guards nothing; retry.
    if (sameFile(fd, path)) return new HeldLock(fd, path)
    closeSync(fd)
  }
}

/** Waits for the lock without blocking the event loop (polls; a lock holder is usually an extraction). */
export async function lock(path: string, mode: LockMode, pollMs = 20): Promise<HeldLock> {
  for (let wait = 2; ; wait = Math.min(wait * 2, pollMs * 5)) {
    const held = tryLock(path, mode)
    if (held) return held
    await sleep(wait)
  }
}

function sameFile(fd: number, path: string): boolean {
  try {
    const a = fstatSync(fd)
    const b = statSync(path)
    return a.ino === b.ino && a.dev === b.dev
  } catch {
    return false
  }
}
