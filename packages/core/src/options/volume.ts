import { isAbsolute, resolve } from 'node:path'
import { OptionError } from '../errors.js'

/** A bind mount: the host path `source` at `target` inside the container. */
export interface Volume {
  source: string
  target: string
  readonly: boolean
}

export const VOLUME_FORM = 'SRC:DST[:ro|rw] with DST an absolute path (SRC relative to the working directory)'
const OBJECT_FORM = '{ source, target, readonly? } with target an absolute path and no NUL bytes'

/**
 * Parses the `docker run -v` form `SRC:DST[:ro|rw]`. Paths that contain `:` cannot be written this way:
 * give a Volume object instead.
 */
export function parseVolume(option: string, value: unknown, cwd: string): Volume {
  if (typeof value !== 'string') throw new OptionError(option, value, VOLUME_FORM)
  const parts = value.split(':')
  const [source, target, mode = 'rw'] = parts
  if (parts.length < 2 || parts.length > 3 || !source || !target || !isAbsolute(target) || value.includes('\0')) {
    throw new OptionError(option, value, VOLUME_FORM)
  }
  if (mode !== 'ro' && mode !== 'rw') throw new OptionError(option, value, `${VOLUME_FORM}; the mode must be ro or rw`)
  return { source: resolve(cwd, source), target: resolve(target), readonly: mode === 'ro' }
}

/** Checks a volume given as an object, any characters but NUL allowed; `source` is resolved against `cwd`. */
export function checkVolumeObject(option: string, value: unknown, cwd: string): Volume {
  const v = value as Partial<Record<keyof Volume, unknown>> | null
  const isPath = (p: unknown): p is string => typeof p === 'string' && p !== '' && !p.includes('\0')
  if (typeof v !== 'object' || v === null || Array.isArray(v) || !isPath(v.source) || !isPath(v.target) || !isAbsolute(v.target)) {
    throw new OptionError(option, value, OBJECT_FORM)
  }
  if (v.readonly !== undefined && typeof v.readonly !== 'boolean') throw new OptionError(option, value, `${OBJECT_FORM}; readonly is true or false`)
  return { source: resolve(cwd, v.source), target: resolve(v.target), readonly: v.readonly === true }
}

/** A volume in either form, `SRC:DST[:ro|rw]` or an object, as a checked Volume. */
export function toVolume(option: string, value: unknown, cwd: string): Volume {
  return typeof value === 'string' ? parseVolume(option, value, cwd) : checkVolumeObject(option, value, cwd)
}
