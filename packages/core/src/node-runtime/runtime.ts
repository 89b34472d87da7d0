import { createHash } from 'node:crypto'
import { chmodSync, copyFileSync, createReadStream, existsSync, readFileSync, realpathSync, renameSync } from 'node:fs'
import { basename, join } from 'node:path'
import { removeTree } from '../store/remove-tree.js'
import type { ImageStore } from '../store/store.js'
import { ELF_MACHINE, type ElfInfo, patchStrings, readElf } from './elf.js'

/** Where the runtime is bound inside the container; every patched path starts with it. */
export const RUNTIME_MOUNT = '/.tc'

/** Why the host's Node cannot be made to run inside an image. */
export class NotInjectable extends Error {}

const memo = new Map<string, Promise<string>>()

/**
 * The host's Node, made to run in an image without a libc of its own: the exact libraries the running node
 * mapped (/proc/self/maps) are copied into a directory keyed by the node binary's hash, with a copy of
 * node whose PT_INTERP and DT_NEEDED strings name them at /.tc. glibc then matches the libraries' own
 * dependencies by soname, so they need no patching, and process.execPath is /.tc/node (fork works).
 */
export function nodeRuntime(store: ImageStore, node = process.execPath): Promise<string> {
  let pending = memo.get(node)
  if (!pending) {
    pending = buildRuntime(store, node)
    pending.catch(() => memo.delete(node))
    memo.set(node, pending)
  }
  return pending
}

async function buildRuntime(store: ImageStore, node: string): Promise<string> {
  const binary = realpathSync(node)
  const dir = join(store.root, 'node', (await sha256(binary)).slice(0, 24))
  if (existsSync(join(dir, 'node'))) return dir
  const work = store.tmpDir('node')
  try {
    assembleRuntime(work, binary, RUNTIME_MOUNT)
    try {
      renameSync(work, dir)
    } catch (error) {
      if (!existsSync(join(dir, 'node'))) throw error // otherwise another process published the same runtime
    }
    return dir
  } finally {
    if (existsSync(work)) removeTree(work)
  }
}

/**
 * Writes into `dir` the loader, the libraries and a patched copy of `binary` that finds them at `mount`
 * (a path at most as long as the shortest library name node asks for).
 */
export function assembleRuntime(dir: string, binary: string, mount: string): void {
  const elf = readElf(binary)
  if (!elf) throw new NotInjectable(`${binary} is not a 64-bit little-endian ELF executable`)
  if (elf.machine !== ELF_MACHINE[process.arch]) throw new NotInjectable(`${binary} is not built for ${process.arch}`)
  if (!elf.interp) throw new NotInjectable(`${binary} has no program interpreter (a static build)`)
  const libraries = closure(elf, mappedObjects())
  const names = new Map<string, string>()
  const used = new Set(['node', 'ld.so'])
  copyFileSync(realpathSync(elf.interp.value), join(dir, 'ld.so'))
  for (const [soname, path] of libraries) {
    const short = shortName(soname, used)
    names.set(soname, short)
    copyFileSync(path, join(dir, short))
  }
  copyFileSync(binary, join(dir, 'node'))
  const patches = [{ at: elf.interp, value: `${mount}/ld.so` }]
  for (const needed of elf.needed) {
    const short = needed.value === basename(elf.interp.value) ? 'ld.so' : names.get(needed.value)
    const value = `${mount}/${short}`
    if (Buffer.byteLength(value) + 1 > needed.room) throw new NotInjectable(`the library name ${needed.value} is too short to be patched to ${value}`)
    patches.push({ at: needed, value })
  }
  if (Buffer.byteLength(patches[0]!.value) + 1 > elf.interp.room)
    throw new NotInjectable(`its interpreter path is too short to be patched to ${patches[0]!.value}`)
  patchStrings(join(dir, 'node'), patches)
  for (const file of ['node', 'ld.so', ...names.values()]) chmodSync(join(dir, file), 0o755)
  chmodSync(dir, 0o755)
}

/** soname → host path for node's libraries and theirs, all of which the running node has mapped. */
function closure(elf: ElfInfo, mapped: Map<string, string>): Map<string, string> {
  const found = new Map<string, string>()
  const interpName = basename(elf.interp?.value ?? '')
  const pending = elf.needed.map((n) => n.value)
  while (pending.length > 0) {
    const soname = pending.pop()!
    if (soname === interpName || found.has(soname)) continue
    const path = mapped.get(soname)
    if (!path) throw new NotInjectable(`node needs ${soname}, which this process has not mapped`)
    found.set(soname, path)
    for (const n of readElf(path)?.needed ?? []) pending.push(n.value)
  }
  return found
}

/** Shared objects of this process by soname (and by file name), from /proc/self/maps. */
function mappedObjects(): Map<string, string> {
  const byName = new Map<string, string>()
  for (const line of readFileSync('/proc/self/maps', 'utf8').split('\n')) {
    const path = line.split(/\s+/).slice(5).join(' ')
    if (!path.startsWith('/') || !/\.so(\.|$)/.test(path)) continue
    if (!byName.has(basename(path))) byName.set(basename(path), path)
    const soname = readElf(path)?.soname
    if (soname && !byName.has(soname)) byName.set(soname, path)
  }
  return byName
}

function shortName(soname: string, used: Set<string>): string {
  const base = soname.replace(/^lib/, '').replace(/\.so(\..*)?$/, '') || 'lib'
  let name = base
  for (let i = 2; used.has(name); i++) name = `${base}${i}`
  used.add(name)
  return name
}

function sha256(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256')
    createReadStream(path)
      .on('data', (d) => hash.update(d))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject)
  })
}
