/**
 * A tar member's name as path components inside the layer root: a leading `/` or `./` is dropped (as GNU
 * tar does), empty and `.` components are ignored, and `..` anywhere is refused: no entry names a place
 * outside the root, and none needs to climb to stay inside.
 */
export function entryComponents(name: string): string[] | null {
  const parts: string[] = []
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..') return null
    parts.push(part)
  }
  return parts
}

export const WHITEOUT_PREFIX = '.wh.'
export const OPAQUE_MARKER = '.wh..wh..opq'
/** The xattr overlayfs reads, mounted with `userxattr`, as "hide the lower layers' children of this directory". */
export const OPAQUE_XATTR = 'user.overlay.opaque'

export type WhiteoutKind = { kind: 'none' } | { kind: 'opaque' } | { kind: 'whiteout'; name: string } | { kind: 'aufs-meta' } | { kind: 'invalid' }

/** What an OCI whiteout name means: `.wh.NAME` deletes NAME below, `.wh..wh..opq` hides the lower children. */
export function whiteoutKind(base: string): WhiteoutKind {
  if (!base.startsWith(WHITEOUT_PREFIX)) return { kind: 'none' }
  if (base === OPAQUE_MARKER) return { kind: 'opaque' }
  if (base.startsWith(`${WHITEOUT_PREFIX}${WHITEOUT_PREFIX}`)) return { kind: 'aufs-meta' }
  const name = base.slice(WHITEOUT_PREFIX.length)
  return name === '' || name === '.' || name === '..' ? { kind: 'invalid' } : { kind: 'whiteout', name }
}
