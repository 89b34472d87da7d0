/** True when `path` is `dir` itself or lies below it. Both must be normalized absolute paths. */
export function isWithin(path: string, dir: string): boolean {
  return path === dir || dir === '/' || path.startsWith(`${dir}/`)
}

/** True when `path` lies strictly below `dir`. */
export function isBelow(path: string, dir: string): boolean {
  return path !== dir && isWithin(path, dir)
}
