import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { isAbsolute, resolve } from 'node:path'
import { OptionError } from '../errors.js'
import { type ImageReference, parseImageReference } from '../images/reference.js'
import { parseSize } from './size.js'
import { toVolume, type Volume } from './volume.js'

export type NetworkMode = 'loopback' | 'none' | 'host'
export const NETWORK_MODES: readonly NetworkMode[] = ['loopback', 'none', 'host']

/** What a caller may ask of a container. Everything is optional except the command. */
export interface ContainerOptions {
  /** The payload: `[file, ...args]`; `file` is looked up in PATH inside the container. */
  command: readonly string[]
  /** Memory cap (swap counted): bytes or `256MiB`, `1.5G`, ... Killed by the kernel past it. */
  memory?: string | number
  /** Maximum number of processes and threads. */
  pidsLimit?: number
  /** `loopback` (default): only `lo`, up. `none`: no interface up. `host`: the host's network. */
  network?: NetworkMode
  /** Hostname inside; default a fresh `testcell-xxxxxx`. */
  hostname?: string
  /** Bind mounts, `SRC:DST[:ro|rw]` or objects. */
  volumes?: readonly (string | Volume)[]
  /** Base environment (default `process.env`); `env` is applied on top. */
  baseEnv?: NodeJS.ProcessEnv
  /** Variables added to or overriding the base environment. */
  env?: Readonly<Record<string, string>>
  /** Working directory inside; default the caller's cwd. */
  workdir?: string
  /** Host directories that must stay visible (copy-on-write) even under the private /tmp; default the cwd. */
  visiblePaths?: readonly string[]
  /** Standard streams of the payload. Default `pipe`. */
  stdio?: 'pipe' | 'inherit'
  /** Open a Node IPC channel (fd 3) to the payload, as `child_process.fork` does. */
  ipc?: false | 'json' | 'advanced'
  /**
   * The seccomp filter (default `true`: modelled on Docker's default profile). `'nested'` also lets the payload
   * create namespaces, for tests of tools that sandbox themselves (Chromium, bwrap); `false` installs none.
   */
  seccomp?: boolean | 'nested'
  /**
   * Root filesystem from an image instead of the host's: `oci:DIR[:REF]`, `oci-archive:FILE[:REF]`,
   * `docker-archive:FILE[:REF]`, `rootfs:FILE` or a registry reference. Needs `createContainer`.
   */
  image?: string
}

/** Options after validation: every value checked and in its final form. */
export interface ContainerConfig {
  command: string[]
  memoryBytes: number | null
  pidsLimit: number | null
  network: NetworkMode
  hostname: string
  volumes: Volume[]
  env: NodeJS.ProcessEnv
  workdir: string
  visiblePaths: string[]
  stdio: 'pipe' | 'inherit'
  ipc: false | 'json' | 'advanced'
  seccomp: 'default' | 'nested' | false
  image: ImageReference | null
}

const HOSTNAME = /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/
const ENV_KEY = /^[^=\0]+$/

export function defaultHostname(): string {
  return `testcell-${randomBytes(3).toString('hex')}`
}

/** Validates every option up front; throws an OptionError naming the option, the value and the form. */
export function normalizeOptions(options: ContainerOptions, cwd = process.cwd()): ContainerConfig {
  const o: ContainerOptions = Object.assign(Object.create(null), options)
  if (!Array.isArray(o.command) || o.command.length === 0 || o.command.some((a) => typeof a !== 'string' || a.includes('\0'))) {
    throw new OptionError('command', o.command, 'a non-empty array of strings without NUL bytes')
  }
  if (o.command[0] === '') throw new OptionError('command', o.command, 'a command name or path as the first element')
  return {
    command: [...o.command],
    memoryBytes: o.memory === undefined ? null : checkMemory(o.memory),
    pidsLimit: o.pidsLimit === undefined ? null : checkPidsLimit(o.pidsLimit),
    network: checkNetwork(o.network ?? 'loopback'),
    hostname: o.hostname === undefined ? defaultHostname() : checkHostname(o.hostname),
    volumes: (o.volumes ?? []).map((v) => checkVolumeSource(toVolume('volume', v, cwd))),
    env: mergeEnv(o.baseEnv ?? process.env, o.env ?? {}),
    workdir: checkAbsolute('workdir', o.workdir ?? cwd, cwd),
    visiblePaths: (o.visiblePaths ?? [cwd]).map((p) => checkAbsolute('visiblePaths', p, cwd)),
    stdio: checkEnum('stdio', o.stdio ?? 'pipe', ['pipe', 'inherit']),
    ipc: checkEnum('ipc', o.ipc ?? false, [false, 'json', 'advanced']),
    seccomp: checkSeccomp(o.seccomp ?? true),
    image: o.image === undefined ? null : parseImageReference(o.image, cwd),
  }
}

export function checkSeccomp(value: unknown): 'default' | 'nested' | false {
  const mode = checkEnum<boolean | 'nested'>('seccomp', value, [true, false, 'nested'])
  return mode === true ? 'default' : mode
}

const MIN_MEMORY = 4 * 1024 * 1024

export function checkMemory(value: unknown): number {
  const bytes = parseSize('memory', value)
  if (bytes < MIN_MEMORY) throw new OptionError('memory', value, 'at least 4MiB (no process starts below that)')
  return bytes
}

export function checkPidsLimit(value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value
  throw new OptionError('pidsLimit', value, 'a positive whole number of processes')
}

export function checkNetwork(value: unknown): NetworkMode {
  return checkEnum('network', value, NETWORK_MODES)
}

export function checkHostname(value: unknown): string {
  if (typeof value === 'string' && value.length <= 64 && HOSTNAME.test(value)) return value
  throw new OptionError('hostname', value, 'letters, digits, "-" and ".", at most 64 characters')
}

function checkVolumeSource(volume: Volume): Volume {
  if (!existsSync(volume.source)) {
    throw new OptionError('volume', `${volume.source}:${volume.target}`, 'a source path that exists on the host')
  }
  return volume
}

function checkAbsolute(option: string, value: unknown, cwd: string): string {
  if (typeof value !== 'string' || value === '' || value.includes('\0')) throw new OptionError(option, value, 'a directory path')
  return isAbsolute(value) ? resolve(value) : resolve(cwd, value)
}

function checkEnum<T>(option: string, value: unknown, allowed: readonly T[]): T {
  if (allowed.includes(value as T)) return value as T
  throw new OptionError(option, value, `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`)
}

function mergeEnv(base: NodeJS.ProcessEnv, extra: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries({ ...base, ...extra })) {
    if (value === undefined) continue
    if (!ENV_KEY.test(key) || typeof value !== 'string' || value.includes('\0')) {
      throw new OptionError('env', `${key}=${String(value)}`, 'KEY=VALUE with a key without "=" and no NUL bytes')
    }
    env[key] = value
  }
  return env
}
