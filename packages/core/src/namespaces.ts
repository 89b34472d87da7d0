/** The single-id maps of rootless mode: the invoking user and group become 0 inside. */
export function rootlessIdMaps(uid: number, gid: number): { uidMap: string; gidMap: string } {
  for (const [name, id] of [
    ['uid', uid],
    ['gid', gid],
  ] as const) {
    if (!Number.isSafeInteger(id) || id < 0) throw new RangeError(`invalid ${name} ${id}`)
  }
  return { uidMap: `0 ${uid} 1\n`, gidMap: `0 ${gid} 1\n` }
}
