import { readFileSync, rmdirSync, writeFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { CgroupError } from '../errors.js'

/** Parses "key value" lines (memory.stat, memory.events, memory.oom_control). */
export function parseKeyed(text: string): Map<string, number> {
  const values = new Map<string, number>()
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/)
    if (key && value !== undefined && /^\d+$/.test(value)) values.set(key, Number(value))
  }
  return values
}

export function readOptional(path: string): string | null {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return null
  }
}

export function writeControl(path: string, value: string): void {
  try {
    writeFileSync(path, value)
  } catch (cause) {
    throw new CgroupError(`cannot write ${JSON.stringify(value)} to ${path}: ${(cause as Error).message}`, { cause })
  }
}

/** rmdir that waits briefly for the kernel to let go of exited tasks; missing dirs count as removed. */
export async function removeCgroupDir(dir: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      rmdirSync(dir)
      return
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code
      if (code === 'ENOENT') return
      if (code !== 'EBUSY' || attempt >= 50) {
        throw new CgroupError(`cannot remove cgroup ${dir}: ${(cause as Error).message}`, { cause })
      }
      await sleep(20)
    }
  }
}
