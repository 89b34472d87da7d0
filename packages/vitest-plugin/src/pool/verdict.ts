import { relative } from 'node:path'
import type { ContainerResult } from '@testcell/core'
import type { FileMemoryWatch } from '../memory/watch.js'

/** Why a container file's worker ended before its work was done: a line a user acts on, and a few words for the table. */
export interface EndDescription {
  message: string
  short: string
}

/**
 * The verdict on an early end (the budget, the machine out of memory, V8's heap limit, a signal, an exit code;
 * see @testcell/core's classifyEnd), and where it happened: the file and the test that was running.
 */
export function describeEnd(watch: FileMemoryWatch, result: ContainerResult, file: string | undefined, root: string, cause?: Error): EndDescription {
  const where = place(file, root, watch.runningTests())
  const end = watch.endedEarly(result)
  if (cause) return { message: `the container's worker failed (${cause.message})${where}`, short: 'its worker failed' }
  return { message: `${end.message}${where}`, short: end.short }
}

function place(file: string | undefined, root: string, running: readonly string[]): string {
  if (!file) return ' while its worker was starting, before its test file ran'
  const more = running.length > 1 ? ` (and ${running.length - 1} more running)` : ''
  return ` while running ${relative(root, file)}${running[0] ? ` > ${running[0]}${more}` : ''}`
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
