import { type LauncherFailure, TestcellError } from '../errors.js'

/** A status record from the launcher (native/PROTOCOL.md, "Status records"). */
export type StatusRecord =
  | { type: 'pid'; pid: number }
  | { type: 'started' }
  | ({ type: 'error' } & LauncherFailure)
  | { type: 'exit'; code: number; signal?: undefined; files?: Record<string, string> }
  | { type: 'exit'; signal: number; code?: undefined; files?: Record<string, string> }

/** Splits the control stream into records; throws on anything that is not a valid record. */
export class StatusDecoder {
  private buffered = ''

  push(chunk: Buffer | string): StatusRecord[] {
    this.buffered += chunk.toString()
    const lines = this.buffered.split('\n')
    this.buffered = lines.pop() ?? ''
    return lines.filter((line) => line.trim() !== '').map(parseRecord)
  }

  /** Text left without a newline when the stream ended (a truncated record). */
  get rest(): string {
    return this.buffered
  }
}

export function parseRecord(line: string): StatusRecord {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch (cause) {
    throw protocolError(line, cause)
  }
  if (isRecord(value)) return value
  throw protocolError(line)
}

function isRecord(value: unknown): value is StatusRecord {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  switch (v.type) {
    case 'pid':
      return Number.isInteger(v.pid) && (v.pid as number) > 0
    case 'started':
      return true
    case 'error':
      return typeof v.stage === 'string' && typeof v.message === 'string'
    case 'exit':
      return Number.isInteger(v.code) || Number.isInteger(v.signal)
    default:
      return false
  }
}

function protocolError(line: string, cause?: unknown): TestcellError {
  return new TestcellError('TESTCELL_LAUNCHER_PROTOCOL', `unexpected status record from the launcher: ${JSON.stringify(line.slice(0, 200))}`, { cause })
}
