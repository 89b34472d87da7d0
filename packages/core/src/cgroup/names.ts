import { randomBytes } from 'node:crypto'

const PREFIX = 'testcell-'
const NAME = /^testcell-(\d+)-[0-9a-f]+$/

/** A cgroup name that carries the owning process id, so `testcell gc` can tell live ones from stale ones. */
export function cgroupName(ownerPid = process.pid): string {
  return `${PREFIX}${ownerPid}-${randomBytes(4).toString('hex')}`
}

/** The owner pid of a testcell cgroup name, or null for names that are not ours. */
export function cgroupOwner(name: string): number | null {
  const match = NAME.exec(name)
  return match ? Number(match[1]) : null
}
