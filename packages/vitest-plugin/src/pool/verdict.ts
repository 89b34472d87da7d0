import { relative } from 'node:path'
import { type ContainerResult, describeMemoryKill, killedByMemoryLimit } from '@testcell/core'

/** Why a container file's worker ended before its work was done, in words a user acts on. */
export function describeDeath(result: ContainerResult, file: string | undefined, root: string, cause?: Error): string {
  const where = file ? ` while running ${relative(root, file)}` : ' while its worker was starting, before its test file ran'
  if (killedByMemoryLimit(result)) return `${describeMemoryKill(result)}${where}`
  if (cause) return `the container's worker failed (${cause.message})${where}`
  if (result.signal) return `the container was killed by signal ${result.signal}${where}`
  return `the container's worker exited unexpectedly with code ${result.exitCode}${where}`
}

/** The same, in a few words for the memory table. */
export function endedEarly(result: ContainerResult): string {
  if (killedByMemoryLimit(result)) return 'killed by its memory limit'
  return result.signal ? `killed by ${result.signal}` : `exited with code ${result.exitCode}`
}

/** A container file's worker ended early: memory limit, signal, unexpected exit. */
export class ContainerKilledError extends Error {
  readonly code = 'TESTCELL_CONTAINER_KILLED'
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'ContainerKilledError'
    this.stack = `${this.name}: ${message}` // the pool's own stack says nothing about the test file
  }
}

/** A container file's worker could not be started: the launcher's cause, or the command was not found. */
export class ContainerStartError extends Error {
  readonly code = 'TESTCELL_CONTAINER_START'
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'ContainerStartError'
    this.stack = `${this.name}: ${message}`
  }
}
