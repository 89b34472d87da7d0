/** The platforms a prebuilt launcher is published for, each as its own npm package (packages/launcher-*). */
export const LAUNCHER_PLATFORMS = ['linux-x64', 'linux-arm64'] as const

export type LauncherPlatform = (typeof LAUNCHER_PLATFORMS)[number]

/** `linux-x64` for Node's `process.platform` and `process.arch`, or undefined where none is published. */
export function launcherPlatform(platform: string, arch: string): LauncherPlatform | undefined {
  return LAUNCHER_PLATFORMS.find((p) => p === `${platform}-${arch}`)
}

export const launcherPackage = (platform: LauncherPlatform): string => `@testcell/launcher-${platform}`

/** The file inside a launcher package. */
export const LAUNCHER_FILE = 'testcell-launcher'
