import { isAbsolute, resolve } from 'node:path'
import { OptionError } from '../errors.js'

export interface Volume {
  source: string
  target: string
  readonly: boolean
}

export const VOLUME_FORM = 'SRC:DST[:ro|rw] with DST an absolute path (SRC relative to the working directory)'

/** Parses the `docker run -v` form `SRC:DST[:ro|rw]`. */
export function parseVolume(option: string, value: unknown, cwd: string): Volume {
  if (typeof value !== 'string') throw new OptionError(option, value, VOLUME_FORM)
  const parts = value.split(':')
  const [source, target, mode = 'rw'] = parts
  if (parts.length < 2 || parts.length > 3 || !source || !target || !isAbsolute(target)) {
    throw new OptionError(option, value, VOLUME_FORM)
  }
  if (mode !== 'ro' && mode !== 'rw') throw new OptionError(option, value, `${VOLUME_FORM}; the mode must be ro or rw`)
  return { source: resolve(cwd, source), target: resolve(target), readonly: mode === 'ro' }
}
