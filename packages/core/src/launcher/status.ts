import { StringDecoder } from 'node:string_decoder'
import { type LauncherFailure, TestcellError } from '../errors.js'

/** A status record from the launcher (native/PROTOCOL.md, "Launcher -> parent: status records"). */
export type StatusRecord =
  | { type: 'hello'; protocol: number }
  | { type: 'pid'; pid: number }
  | { type: 'started' }
  | ({ type: 'error' } & LauncherFailure)
  | ({ type: 'exec-failed' } & Omit<LauncherFailure, 'stage'>)
  | { type: 'exit'; code: number; signal?: undefined; files?: Record<string, string> }
  | { type: 'exit'; signal: number; code?: undefined; files?: Record<string, string> }

/**
 * Splits the control stream into records. Records of types this version does not know are skipped, so a newer
 * launcher can add some; a line that is not a record at all is a protocol error.
 */
export class StatusDecoder {
  private readonly text = new StringDecoder('utf8')
  private buffered = ''

  push(chunk: Buffer | string): StatusRecord[] {
    this.buffered += typeof chunk === 'string' ? chunk : this.text.write(chunk)
    const lines = this.buffered.split('\n')
    this.buffered = lines.pop() ?? ''
    return lines.filter((line) => line.trim() !== '').flatMap((line) => parseRecord(line) ?? [])
  }

  /** Text left without a newline when the stream ended (a truncated record). */
  get rest(): string {
    return this.buffered + this.text.end()
  }
}

/** The record on one line, or null for a well-formed record of an unknown type. */
export function parseRecord(line: string): StatusRecord | null {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch (cause) {
    throw protocolError(line, cause)
  }
  if (typeof value !== 'object' || value === null || typeof (value as { type?: unknown }).type !== 'string') throw protocolError(line)
  const v = value as Record<string, unknown>
  const known = checks[v.type as string]
  if (!known) return null
  if (!known(v)) throw protocolError(line)
  return v as StatusRecord
}

const isCount = (v: unknown) => Number.isInteger(v) && (v as number) >= 0
const failure = (v: Record<string, unknown>) => typeof v.message === 'string' && (v.errno === undefined || isCount(v.errno))

const checks: Record<string, (v: Record<string, unknown>) => boolean> = {
  hello: (v) => isCount(v.protocol),
  pid: (v) => isCount(v.pid) && (v.pid as number) > 0,
  started: () => true,
  error: (v) => typeof v.stage === 'string' && failure(v),
  'exec-failed': failure,
  exit: (v) => (isCount(v.code) || isCount(v.signal)) && (v.files === undefined || (typeof v.files === 'object' && v.files !== null)),
}

function protocolError(line: string, cause?: unknown): TestcellError {
  return new TestcellError('TESTCELL_LAUNCHER_PROTOCOL', `unexpected status record from the launcher: ${JSON.stringify(line.slice(0, 200))}`, { cause })
}
