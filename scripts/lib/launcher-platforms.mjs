// The platforms testcell ships a prebuilt launcher for: one npm package each (packages/launcher-<platform>),
// built by `make -C native <platform>`. packages/core/src/launcher/platforms.ts lists the same names.
import { arch } from 'node:process'

export const PLATFORMS = {
  'linux-x64': { cpu: 'x64', elfMachine: 62, file: 'x86-64', crossCompiler: 'x86_64-linux-gnu-gcc', debian: ['gcc-x86-64-linux-gnu', 'libc6-dev-amd64-cross'] },
  'linux-arm64': {
    cpu: 'arm64',
    elfMachine: 183,
    file: 'aarch64',
    crossCompiler: 'aarch64-linux-gnu-gcc',
    debian: ['gcc-aarch64-linux-gnu', 'libc6-dev-arm64-cross'],
  },
}

export const packageName = (platform) => `@testcell/launcher-${platform}`
export const packageDir = (platform) => `packages/launcher-${platform}`

/** Debian packages needed to build `platform`'s launcher on this machine (none for its own platform). */
export const crossPackages = (platform) => (PLATFORMS[platform].cpu === arch ? [] : PLATFORMS[platform].debian)

/** The ELF e_machine of a file's header, or null when it is no 64-bit little-endian ELF. */
export function elfMachine(header) {
  const isElf64 = header.length >= 20 && header.readUInt32BE(0) === 0x7f454c46 && header[4] === 2 && header[5] === 1
  return isElf64 ? header.readUInt16LE(18) : null
}
