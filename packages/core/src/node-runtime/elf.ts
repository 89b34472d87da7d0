import { closeSync, openSync, readSync, writeSync } from 'node:fs'

const PT_LOAD = 1
const PT_DYNAMIC = 2
const PT_INTERP = 3
const DT_NULL = 0
const DT_NEEDED = 1
const DT_STRTAB = 5
const DT_SONAME = 14

/** A string inside an ELF file: where it is, how much room it has (its length plus the NUL), its text. */
export interface ElfString {
  offset: number
  room: number
  value: string
}

export interface ElfInfo {
  /** e_machine (62 x86-64, 183 aarch64, ...). */
  machine: number
  interp: ElfString | null
  needed: ElfString[]
  soname: string | null
}

/** Reads what a dynamic loader needs from a 64-bit little-endian ELF file; null for anything else. */
export function readElf(path: string): ElfInfo | null {
  const fd = openSync(path, 'r')
  try {
    const read = (offset: number, length: number): Buffer => {
      const buffer = Buffer.alloc(length)
      readSync(fd, buffer, 0, length, offset)
      return buffer
    }
    const header = read(0, 64)
    if (header.readUInt32BE(0) !== 0x7f454c46 || header[4] !== 2 || header[5] !== 1) return null
    const machine = header.readUInt16LE(18)
    const phoff = Number(header.readBigUInt64LE(32))
    const phentsize = header.readUInt16LE(54)
    const phnum = header.readUInt16LE(56)
    const segments = Array.from({ length: phnum }, (_, i) => {
      const ph = read(phoff + i * phentsize, phentsize)
      return { type: ph.readUInt32LE(0), offset: Number(ph.readBigUInt64LE(8)), vaddr: Number(ph.readBigUInt64LE(16)), filesz: Number(ph.readBigUInt64LE(32)) }
    })
    const interpSegment = segments.find((s) => s.type === PT_INTERP)
    const interp = interpSegment
      ? { offset: interpSegment.offset, room: interpSegment.filesz, value: cString(read(interpSegment.offset, interpSegment.filesz)) }
      : null
    const dynamic = segments.find((s) => s.type === PT_DYNAMIC)
    if (!dynamic) return { machine, interp, needed: [], soname: null }
    const entries: [number, number][] = []
    const table = read(dynamic.offset, dynamic.filesz)
    for (let at = 0; at + 16 <= table.length; at += 16) {
      const tag = Number(table.readBigInt64LE(at))
      if (tag === DT_NULL) break
      entries.push([tag, Number(table.readBigUInt64LE(at + 8))])
    }
    const strtabAddr = entries.find(([tag]) => tag === DT_STRTAB)?.[1]
    const load = segments.find((s) => s.type === PT_LOAD && strtabAddr !== undefined && strtabAddr >= s.vaddr && strtabAddr < s.vaddr + s.filesz)
    if (strtabAddr === undefined || !load) return { machine, interp, needed: [], soname: null }
    const strtab = strtabAddr - load.vaddr + load.offset
    const string = (index: number): ElfString => {
      const value = cString(read(strtab + index, 256))
      return { offset: strtab + index, room: Buffer.byteLength(value) + 1, value }
    }
    const needed = entries.filter(([tag]) => tag === DT_NEEDED).map(([, index]) => string(index))
    const sonameIndex = entries.find(([tag]) => tag === DT_SONAME)?.[1]
    return { machine, interp, needed, soname: sonameIndex === undefined ? null : string(sonameIndex).value }
  } finally {
    closeSync(fd)
  }
}

/** Overwrites strings in place (NUL-padded); throws when one does not fit in the room it replaces. */
export function patchStrings(path: string, patches: readonly { at: ElfString; value: string }[]): void {
  const fd = openSync(path, 'r+')
  try {
    for (const { at, value } of patches) {
      const bytes = Buffer.from(value)
      if (bytes.length + 1 > at.room) throw new RangeError(`"${value}" does not fit in place of "${at.value}"`)
      const padded = Buffer.alloc(at.room)
      bytes.copy(padded)
      writeSync(fd, padded, 0, padded.length, at.offset)
    }
  } finally {
    closeSync(fd)
  }
}

function cString(buffer: Buffer): string {
  const end = buffer.indexOf(0)
  return buffer.subarray(0, end < 0 ? buffer.length : end).toString('latin1')
}

/** ELF e_machine for Node's process.arch. */
export const ELF_MACHINE: Partial<Record<string, number>> = { x64: 62, arm64: 183, ia32: 3, arm: 40, riscv64: 243, ppc64: 21, s390x: 22, loong64: 258 }
