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
  const hash = await sha256(binary)
  const dir = join(store.root, 'node', hash.slice(0, 24))
  if (existsSync(join(dir, 'node'))) return dir
  const elf = readElf(binary)
  if (!elf) throw new NotInjectable(`${binary} is not a 64-bit little-endian ELF executable`)
  if (elf.machine !== ELF_MACHINE[process.arch]) throw new NotInjectable(`${binary} is not built for ${process.arch}`)
  if (!elf.interp) throw new NotInjectable(`${binary} has no program interpreter (a static build): bind it as it is instead`)
  const libraries = closure(elf, mappedObjects())
  const work = store.tmpDir('node')
  try {
    const names = new Map<string, string>()
    const used = new Set(['node', 'ld.so'])
    copyFileSync(realpathSync(elf.interp.value), join(work, 'ld.so'))
    for (const [soname, path] of libraries) {
      const short = shortName(soname, used)
      names.set(soname, short)
      copyFileSync(path, join(work, short))
    }
    copyFileSync(binary, join(work, 'node'))
    const patches = [{ at: elf.interp, value: `${RUNTIME_MOUNT}/ld.so` }]
    for (const needed of elf.needed) {
      const short = needed.value === basename(elf.interp.value) ? 'ld.so' : names.get(needed.value)
      const value = `${RUNTIME_MOUNT}/${short}`
      if (Buffer.byteLength(value) + 1 > needed.room) throw new NotInjectable(`the library name ${needed.value} is too short to be patched to ${value}`)
      patches.push({ at: needed, value })
    }
    patchStrings(join(work, 'node'), patches)
    for (const file of ['node', 'ld.so', ...names.values()]) chmodSync(join(work, file), 0o755)
    chmodSync(work, 0o755)
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
