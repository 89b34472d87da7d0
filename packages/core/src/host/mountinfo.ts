import { readFileSync } from 'node:fs'

export interface MountEntry {
  mountPoint: string
  root: string
  fsType: string
  source: string
  mountOptions: string[]
  superOptions: string[]
}

/** Parses /proc/self/mountinfo (proc(5)); later entries stack over earlier ones at the same mount point. */
export function parseMountInfo(text: string): MountEntry[] {
  const mounts: MountEntry[] = []
  for (const line of text.split('\n')) {
    if (!line.trim()) continue
    const [left, right] = line.split(' - ')
    if (!left || !right) continue
    const fields = left.split(' ')
    const [fsType, source, superOptions] = right.split(' ')
    if (fields.length < 6 || !fsType) continue
    mounts.push({
      root: unescapeOctal(fields[3]!),
      mountPoint: unescapeOctal(fields[4]!),
      mountOptions: fields[5]!.split(','),
      fsType,
      source: unescapeOctal(source ?? ''),
      superOptions: (superOptions ?? '').split(','),
    })
  }
  return mounts
}

export function readMountInfo(): MountEntry[] {
  return parseMountInfo(readFileSync('/proc/self/mountinfo', 'utf8'))
}

function unescapeOctal(value: string): string {
  return value.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)))
}
