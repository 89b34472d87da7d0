import { OptionError } from '../errors.js'

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
}

export const SIZE_FORM = 'a size such as 256MiB, 256M, 1GiB, 1.5G or a byte count (units are powers of 1024)'

/** Parses `256MiB`, `256M`, `1.5G`, `1024` or a number of bytes into whole bytes. */
export function parseSize(option: string, value: unknown): number {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value > 0) return value
    throw new OptionError(option, value, SIZE_FORM)
  }
  if (typeof value !== 'string') throw new OptionError(option, value, SIZE_FORM)
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(value)
  const unit = match ? UNITS[match[2]!.toLowerCase()] : undefined
  if (!match || unit === undefined) throw new OptionError(option, value, SIZE_FORM)
  const bytes = Math.floor(Number(match[1]) * unit)
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new OptionError(option, value, SIZE_FORM)
  return bytes
}

/** `64 MiB`, `1.5 GiB`: for limits the user wrote. */
export function formatLimit(bytes: number): string {
  for (const [unit, size] of [
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const) {
    if (bytes >= size) {
      const value = bytes / size
      return `${Number.isInteger(value) ? value : Number(value.toFixed(2))} ${unit}`
    }
  }
  return `${bytes} B`
}

/** `64.0 MiB`: for measured amounts, always one decimal. */
export function formatAmount(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(2)} GiB`
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${bytes} B`
}
