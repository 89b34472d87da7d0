import { formatAmount, formatLimit } from '../options/size.js'
import type { Verdict } from './classify.js'

/** Where the container was when it ended, for the end of the message. */
export interface EndPlace {
  /** The test file, relative to the project root. */
  file?: string | null
  /** The running test's full name (`suite > test`), when known. */
  test?: string | null
}

/**
 * One line saying why, e.g. `killed: memory limit 64 MiB exceeded (peak 64.0 MiB) while running
 * tests/a.test.ts > heavy test`. Null for a stop the runner asked for (nothing to report).
 */
export function describeVerdict(verdict: Verdict, place: EndPlace = {}): string | null {
  const where = whereText(place)
  switch (verdict.kind) {
    case 'budget':
      return `killed: memory limit ${formatLimit(verdict.limitBytes)} exceeded (${peakText(verdict.peakBytes)})${where}`
    case 'host-oom':
      return `killed: the machine ran out of memory and the kernel's OOM killer ended this file, not its memory budget (${usageText(verdict)})${where}`
    case 'v8-heap': {
      const limit = verdict.heapLimit ? `heap limit ${formatLimit(verdict.heapLimit.bytes)} from ${verdict.heapLimit.source}` : "V8's default heap limit"
      return `aborted: V8's heap limit was reached (JavaScript heap out of memory; ${limit}), not the memory budget (${usageText(verdict)})${where}`
    }
    case 'signal':
      return verdict.signal === 'SIGKILL'
        ? `killed by signal SIGKILL, not by a memory limit (the kernel counted no OOM kill)${where}`
        : `killed by signal ${verdict.signal}${where}`
    case 'exit':
      return `the worker exited with code ${verdict.exitCode ?? 'unknown'}${where}`
    case 'stopped':
      return null
  }
}

function whereText(place: EndPlace): string {
  if (!place.file) return place.file === null ? ' before any test file ran' : ''
  return ` while running ${place.file}${place.test ? ` > ${place.test}` : ''}`
}

function peakText(peak: number | null): string {
  return peak === null ? 'peak unknown' : `peak ${formatAmount(peak)}`
}

function usageText(verdict: { peakBytes: number | null; limitBytes: number | null }): string {
  const budget = verdict.limitBytes === null ? 'no memory budget' : `budget ${formatLimit(verdict.limitBytes)}`
  return `${peakText(verdict.peakBytes)}, ${budget}`
}
