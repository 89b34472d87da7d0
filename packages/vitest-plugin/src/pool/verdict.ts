import { relative } from 'node:path'
import { type ContainerResult, describeMemoryKill, killedByMemoryLimit } from '@testcell/core'

/** Why a container file's worker ended before finishing, in words a user acts on. */
export function describeDeath(result: ContainerResult, file: string | undefined, root: string): string {
  const where = file ? ` while running ${relative(root, file)}` : ' before any test file ran'
  if (killedByMemoryLimit(result)) return `${describeMemoryKill(result)}${where}`
  if (result.signal) return `the container was killed by signal ${result.signal}${where}`
  return `the container's worker exited with code ${result.exitCode}${where}`
}

export class ContainerKilledError extends Error {
  readonly code = 'TESTCELL_CONTAINER_KILLED'
  constructor(
    message: string,
    readonly result: ContainerResult,
  ) {
    super(message)
    this.name = 'ContainerKilledError'
    this.stack = `${this.name}: ${message}`
  }
}
