const BRAND = Symbol.for('testcell.error')

/** Stable codes: match on `error.code`, never on the message. */
export type TestcellErrorCode =
  | 'TESTCELL_INVALID_OPTION'
  | 'TESTCELL_UNSUPPORTED_HOST'
  | 'TESTCELL_CGROUP'
  | 'TESTCELL_LAUNCHER_NOT_FOUND'
  | 'TESTCELL_LAUNCHER_SETUP'
  | 'TESTCELL_LAUNCHER_PROTOCOL'
  | 'TESTCELL_COMMAND_NOT_FOUND'
  | 'TESTCELL_COMMAND_NOT_EXECUTABLE'
  | 'TESTCELL_IMAGE'
  | 'TESTCELL_IMAGE_LAYER'
  | 'TESTCELL_IMAGE_STORE'
  | 'TESTCELL_SETUP'

export class TestcellError extends Error {
  readonly code: TestcellErrorCode
  readonly [BRAND] = true

  constructor(code: TestcellErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = new.target.name
  }

  /** Works across duplicate installs of this package (plugin and core may load twice). */
  static is(value: unknown): value is TestcellError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true
  }
}

/** An option had a bad value: names the option, the value and the expected form. */
export class OptionError extends TestcellError {
  readonly option: string
  readonly value: unknown
  readonly expected: string

  constructor(option: string, value: unknown, expected: string, options?: { cause?: unknown; source?: string }) {
    const where = options?.source ? ` in ${options.source}` : ''
    super('TESTCELL_INVALID_OPTION', `invalid ${option}${where}: ${formatValue(value)}; expected ${expected}`, options)
    this.option = option
    this.value = value
    this.expected = expected
  }

  /** The same error, saying where the option was written (a config file, a test file's docblock). */
  in(source: string): OptionError {
    return new OptionError(this.option, this.value, this.expected, { source })
  }
}

/** The host cannot run containers as asked (namespaces blocked, no usable cgroup, ...). */
export class UnsupportedHostError extends TestcellError {
  readonly problems: readonly string[]

  constructor(summary: string, problems: readonly string[], options?: { cause?: unknown }) {
    super('TESTCELL_UNSUPPORTED_HOST', [summary, ...problems.map((p) => `  - ${p}`)].join('\n'), options)
    this.problems = problems
  }
}

export class CgroupError extends TestcellError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TESTCELL_CGROUP', message, options)
  }
}

/**
 * An image could not be used: a reference that resolves to nothing, a registry that refuses, a platform the
 * image lacks (`TESTCELL_IMAGE`); a blob or layer that fails its digest, is truncated, too large or unsafe
 * (`TESTCELL_IMAGE_LAYER`, naming the blob); a layer store that cannot be used (`TESTCELL_IMAGE_STORE`).
 */
export class ImageError extends TestcellError {
  /** The blob concerned (`sha256:…`), when there is one. */
  readonly blob: string | undefined

  constructor(code: 'TESTCELL_IMAGE' | 'TESTCELL_IMAGE_LAYER' | 'TESTCELL_IMAGE_STORE', message: string, options?: { cause?: unknown; blob?: string }) {
    super(code, message, options)
    this.blob = options?.blob
  }
}

/** A setup failure reported by the launcher as a structured record. */
export interface LauncherFailure {
  stage: string
  syscall?: string
  errno?: number
  errname?: string
  path?: string
  message: string
}

export class LauncherError extends TestcellError {
  readonly failure: LauncherFailure

  constructor(code: TestcellErrorCode, failure: LauncherFailure, options?: { cause?: unknown }) {
    super(code, describeFailure(failure), options)
    this.failure = failure
  }
}

export function describeFailure(f: LauncherFailure): string {
  if (f.stage === 'exec') return f.message
  const call = f.syscall ? `${f.syscall}(${f.path ?? ''})` : f.path
  const errno = f.errname ? ` ${f.errname}` : ''
  const detail = call ? ` [${call}${errno}]` : errno
  return `container setup failed at ${f.stage}: ${f.message}${detail}`
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (value === undefined) return 'undefined'
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}
