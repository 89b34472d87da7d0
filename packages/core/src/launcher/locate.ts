import { accessSync, constants, existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { TestcellError } from '../errors.js'
import { executableCopy, userCacheDir } from './executable-copy.js'
import { preferInstalledCopy } from './installed-copy.js'
import { LAUNCHER_FILE, LAUNCHER_PLATFORMS, launcherPackage, launcherPlatform } from './platforms.js'

/** Where to look; every field has a default for this process (tests simulate other machines). */
export interface LauncherLookup {
  env: NodeJS.ProcessEnv
  platform: string
  arch: string
  /** A checkout's own build (native/build), tried before the platform package so a rebuild is never shadowed. */
  workspaceBuild: string
  /** The directory of an installed package, or undefined when it cannot be resolved. */
  resolvePackage(name: string): string | undefined
  cacheDir: string
}

const require = createRequire(import.meta.url)

export function defaultLookup(env: NodeJS.ProcessEnv = process.env): LauncherLookup {
  return {
    env,
    platform: process.platform,
    arch: process.arch,
    workspaceBuild: fileURLToPath(new URL(`../../../../native/build/${LAUNCHER_FILE}`, import.meta.url)),
    resolvePackage: (name) => {
      try {
        return dirname(require.resolve(`${name}/package.json`))
      } catch {
        return undefined
      }
    },
    cacheDir: userCacheDir(env),
  }
}

let located: string | undefined

/** The launcher binary: $TESTCELL_LAUNCHER, a checkout's build, or the platform package `@testcell/launcher-<os>-<cpu>`. */
export function locateLauncher(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TESTCELL_LAUNCHER) return checkExecutable(env.TESTCELL_LAUNCHER)
  located ??= preferInstalledCopy(findLauncher(defaultLookup(env)))
  return located
}

/** The lookup itself, without memo: see locateLauncher. */
export function findLauncher(lookup: LauncherLookup): string {
  if (lookup.env.TESTCELL_LAUNCHER) return checkExecutable(lookup.env.TESTCELL_LAUNCHER)
  if (isExecutable(lookup.workspaceBuild)) return lookup.workspaceBuild
  const here = `${lookup.platform}-${lookup.arch}`
  const platform = launcherPlatform(lookup.platform, lookup.arch)
  if (!platform) throw unsupportedPlatform(here)
  const name = launcherPackage(platform)
  const dir = lookup.resolvePackage(name)
  if (!dir) {
    throw new TestcellError(
      'TESTCELL_LAUNCHER_NOT_FOUND',
      `the launcher package ${name} is not installed. @testcell/core lists it as an optional dependency: ` +
        'reinstall without --omit=optional / --no-optional (and not copied from another platform), or set TESTCELL_LAUNCHER',
    )
  }
  const path = join(dir, LAUNCHER_FILE)
  if (isExecutable(path)) return path
  if (!existsSync(path)) {
    throw new TestcellError('TESTCELL_LAUNCHER_NOT_FOUND', `${name} at ${dir} has no ${LAUNCHER_FILE}: reinstall it, or set TESTCELL_LAUNCHER`)
  }
  // Installed without its execute bit (an unpacker that drops modes, a noexec mount): run a private copy.
  return executableCopy(path, lookup.cacheDir)
}

function unsupportedPlatform(here: string): TestcellError {
  const linux = here.startsWith('linux-')
  return new TestcellError(
    'TESTCELL_LAUNCHER_NOT_FOUND',
    `no prebuilt testcell launcher for ${here}: launchers are published for ${LAUNCHER_PLATFORMS.join(' and ')} ` +
      `(${LAUNCHER_PLATFORMS.map(launcherPackage).join(', ')}). ` +
      (linux ? '' : 'Containers need a Linux kernel (a Linux VM, WSL2 or a Docker container). ') +
      'To build the launcher from source on Linux: in a checkout of testcell, run `make -C native` (a C compiler with a ' +
      'static libc), then set TESTCELL_LAUNCHER=<checkout>/native/build/testcell-launcher',
  )
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

function checkExecutable(path: string): string {
  try {
    accessSync(path, constants.X_OK)
    return path
  } catch (cause) {
    throw new TestcellError('TESTCELL_LAUNCHER_NOT_FOUND', `TESTCELL_LAUNCHER=${path} is not an executable file`, { cause })
  }
}
