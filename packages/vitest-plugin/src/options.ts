import { checkHostname, checkMemory, checkNetwork, checkPidsLimit, checkSeccomp, IMAGE_FORMS, type NetworkMode, OptionError, toVolume } from '@testcell/core'
import { checkMemoryReportOptions, MEMORY_REPORT_KEYS, type MemoryReportOptions } from './memory/options.js'

/** A bind mount: `SRC:DST[:ro|rw]`, or an object (for paths that contain `:`). SRC is relative to the project root. */
export type VolumeOption = string | { source: string; target: string; readonly?: boolean }

/** Options of `container()` (defaults for every container file) and of `@vitest-environment-options`. */
export interface ContainerPluginOptions extends MemoryReportOptions {
  /** Memory budget per test file, swap counted: `256MiB`, `1.5G`, bytes. The kernel kills a file past it. */
  memory?: string | number
  /** Maximum number of processes and threads per file. */
  pidsLimit?: number
  /** `loopback` (default), `none` or `host`. */
  network?: NetworkMode
  hostname?: string
  /** Bind mounts; relative sources resolve against the root of the project the file belongs to. */
  volumes?: VolumeOption[]
  env?: Record<string, string>
  /**
   * Root filesystem from an image: `oci:DIR[:REF]`, `oci-archive:FILE[:REF]`, `docker-archive:FILE[:REF]`,
   * `rootfs:FILE` or a registry reference; file paths resolve against the project's root when a file starts.
   */
  image?: string
  /** What to do where containers cannot run: fail the run (`error`, default) or run container files as plain forks (`warn`). */
  onUnsupported?: 'error' | 'warn'
  /**
   * The seccomp filter: `true` (default, modelled on Docker's profile), `'nested'` (also lets the file create
   * namespaces, for tests of tools that sandbox themselves such as Chromium), or `false`.
   */
  seccomp?: boolean | 'nested'
  /** Plugin only: print the per-file memory table at the end of the run (default true). */
  reporter?: boolean
  /** Plugin only: keep the next container ready while a file runs (default true). */
  prewarm?: boolean
  /** Plugin only: each test's peak and each file's memory over time (default true); false keeps each file's peak only. */
  testPeaks?: boolean
}

export type FileOptions = Omit<ContainerPluginOptions, 'reporter' | 'prewarm' | 'testPeaks' | keyof MemoryReportOptions>

const KEYS = [
  'memory',
  'pidsLimit',
  'network',
  'hostname',
  'volumes',
  'env',
  'image',
  'seccomp',
  'onUnsupported',
  'reporter',
  'prewarm',
  'testPeaks',
  ...MEMORY_REPORT_KEYS,
] as const

/**
 * Validates options without touching the host, so a config still loads where containers cannot run. Volume
 * sources are only checked for their form here: they resolve against a project's root when a file starts.
 */
export function validateOptions(options: unknown, source: string): ContainerPluginOptions {
  if (options === undefined || options === null) return {}
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new OptionError('options', options, 'an object such as {"memory":"256MiB"}', { source })
  }
  const o = options as Record<string, unknown>
  for (const key of Object.keys(o)) {
    if (!(KEYS as readonly string[]).includes(key)) throw new OptionError(key, o[key], `one of the options ${KEYS.join(', ')}`, { source })
  }
  const wrap = <T>(check: () => T): T => {
    try {
      return check()
    } catch (error) {
      throw error instanceof OptionError ? error.in(source) : error
    }
  }
  if (o.memory !== undefined) wrap(() => checkMemory(o.memory))
  if (o.pidsLimit !== undefined) wrap(() => checkPidsLimit(o.pidsLimit))
  if (o.network !== undefined) wrap(() => checkNetwork(o.network))
  if (o.hostname !== undefined) wrap(() => checkHostname(o.hostname))
  if (o.volumes !== undefined) {
    if (!Array.isArray(o.volumes))
      throw new OptionError('volumes', o.volumes, 'an array of "SRC:DST[:ro|rw]" strings or { source, target } objects', { source })
    for (const volume of o.volumes) wrap(() => toVolume('volumes', volume, '/'))
  }
  if (o.env !== undefined && (typeof o.env !== 'object' || o.env === null || Object.values(o.env).some((v) => typeof v !== 'string'))) {
    throw new OptionError('env', o.env, 'an object of string values', { source })
  }
  if (o.image !== undefined && (typeof o.image !== 'string' || o.image === '')) throw new OptionError('image', o.image, IMAGE_FORMS, { source })
  if (o.onUnsupported !== undefined && o.onUnsupported !== 'error' && o.onUnsupported !== 'warn') {
    throw new OptionError('onUnsupported', o.onUnsupported, 'one of "error", "warn"', { source })
  }
  if (o.seccomp !== undefined) wrap(() => checkSeccomp(o.seccomp))
  if (o.reporter !== undefined && typeof o.reporter !== 'boolean') throw new OptionError('reporter', o.reporter, 'true or false', { source })
  if (o.prewarm !== undefined && typeof o.prewarm !== 'boolean') throw new OptionError('prewarm', o.prewarm, 'true or false', { source })
  if (o.testPeaks !== undefined && typeof o.testPeaks !== 'boolean') throw new OptionError('testPeaks', o.testPeaks, 'true or false', { source })
  checkMemoryReportOptions(o, source)
  return o as ContainerPluginOptions
}

/** Plugin defaults, then `environmentOptions.container` of the config, then the file's docblock, key by key. */
export function fileOptions(defaults: ContainerPluginOptions, configOptions: unknown, docblockOptions: unknown): FileOptions {
  const { reporter: _reporter, prewarm: _prewarm, testPeaks: _testPeaks, warnAt: _warnAt, report: _report, history: _history, ...base } = defaults
  return {
    ...base,
    ...validateOptions(configOptions, 'environmentOptions.container'),
    ...validateOptions(docblockOptions, '@vitest-environment-options'),
  }
}
